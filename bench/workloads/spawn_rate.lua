-- spawn_rate: N times `true` through the shell, each waited for.
local lib = require "lib"

local W = {}

function W.luaipc(n)
  local proc = require "ipc.proc"
  local ok = 0
  local t0 = lib.now()
  for _ = 1, tonumber(n) do
    local h = assert(proc.spawn("true", {}))
    if h:wait() then ok = ok + 1 end
    lib.close(h)
  end
  return lib.now() - t0, ok
end

function W.os_execute(n)
  local ok = 0
  local t0 = lib.now()
  for _ = 1, tonumber(n) do
    if os.execute("true") then ok = ok + 1 end
  end
  return lib.now() - t0, ok
end

-- libuv's own uv.spawn: shows what the event loop's way of starting a
-- process costs, whoever drives it.
function W.luv(n)
  local uv = require "luv"
  local ok = 0
  local t0 = lib.now()
  for _ = 1, tonumber(n) do
    local child
    child = assert(uv.spawn("/bin/sh", { args = { "-c", "true" } },
      function(code)
        if code == 0 then ok = ok + 1 end
        child:close()
      end))
    uv.run()
  end
  return lib.now() - t0, ok
end

return W
