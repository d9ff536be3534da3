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
    h:close()
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

return W
