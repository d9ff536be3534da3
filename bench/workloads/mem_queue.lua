-- mem_queue: what queuing costs in memory. N writes of one shared S-byte
-- string are queued to a `cat` that gets no chance to run them (no wait, so
-- no event loop); the growth of the resident set divided by N is the cost of
-- one queued write, reported as the measure per_write. The shell execs
-- cat, so that the kill reaches the process holding the pipes.
local lib = require "lib"

local W = {}

function W.luaipc(n, size)
  local proc = require "ipc.proc"
  n, size = tonumber(n), tonumber(size)
  local data = string.rep("x", size)
  local h = assert(proc.spawn("exec cat", {
    stdin = true,
    stdout = true,
    callback = function() end,
  }))
  collectgarbage()
  collectgarbage("stop")
  local before = lib.status_kib("VmRSS")
  local t0 = lib.now()
  for _ = 1, n do h:write(data) end
  local t = lib.now() - t0
  local after = lib.status_kib("VmRSS")
  collectgarbage("restart")
  h:kill("kill")
  h:wait()
  lib.close(h)
  return t, n, { per_write = (after - before) * 1024 // n }
end

return W
