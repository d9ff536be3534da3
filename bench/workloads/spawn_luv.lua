-- spawn_luv: N times `true` through the shell, one after the other, inside
-- a luv program (under uv.run()).
local lib = require "lib"

local W = {}

-- proc.spawn + h:wait() from a coroutine: each wait suspends it.
function W.luaipc_luv(n)
  local uv = require "luv"
  local proc = require "ipc.proc"
  local ok = 0
  local t0 = lib.now()
  lib.under_luv(uv, function()
    for _ = 1, tonumber(n) do
      local h = assert(proc.spawn("true", {}))
      if h:wait() then ok = ok + 1 end
      h:close()
    end
  end)
  return lib.now() - t0, ok
end

-- uv.spawn, the next one started from the exit callback of the previous.
function W.luv(n)
  local uv = require "luv"
  n = tonumber(n)
  local ok, started = 0, 0
  local function start()
    started = started + 1
    local child
    child = assert(uv.spawn("/bin/sh", { args = { "-c", "true" } },
      function(code)
        if code == 0 then ok = ok + 1 end
        child:close()
        if started < n then start() end
      end))
  end
  local t0 = lib.now()
  start()
  uv.run()
  return lib.now() - t0, ok
end

return W
