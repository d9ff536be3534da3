-- filelock_cycles: N exclusive lock/unlock pairs on one Lua file.
local lib = require "lib"

local W = {}

function W.luaipc(n, path)
  local filelock = require "ipc.filelock"
  local lock, unlock = filelock.lock, filelock.unlock
  local f = assert(io.open(path, "w"))
  local done = 0
  local t0 = lib.now()
  for _ = 1, tonumber(n) do
    -- Checked without assert, whose call would be timed along.
    if not lock(f, "w") or not unlock(f) then error("lock failed") end
    done = done + 1
  end
  local t = lib.now() - t0
  f:close()
  return t, done
end

return W
