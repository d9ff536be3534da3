-- Child program: locks file arg[1] with mode arg[2] over (arg[3], arg[4]),
-- then incs semaphore arg[5] ("locked") and waits on semaphore arg[6]
-- ("release"). With arg[7], it then waits a moment, writes arg[7] at the
-- start of the file and unlocks, so a parent that blocked in lock() can
-- prove it waited for the write.
local sem = require "ipc.sem"
local H = require "spec_helper"
local filelock = require "ipc.filelock"
local path, mode = arg[1], arg[2]
local offset, nbytes = tonumber(arg[3]), tonumber(arg[4])
local f = assert(io.open(path, "r+"))
assert(filelock.lock(f, mode, offset, nbytes) == true)
local locked = assert(sem.open(arg[5]))
local release = assert(sem.open(arg[6]))
locked:inc()
assert(release:dec(30) == true, "never released")
if arg[7] then
  H.sleep(0.3)
  f:seek("set", 0)
  f:write(arg[7])
end
assert(filelock.unlock(f, offset, nbytes) == true)
f:close()
