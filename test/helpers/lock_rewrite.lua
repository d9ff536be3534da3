-- Child program: under an exclusive lock, replaces the content of file
-- arg[1] by arg[2].
local filelock = require "ipc.filelock"
local f = assert(io.open(arg[1], "r+"))
assert(filelock.lock(f, "w") == true)
f:write(arg[2])
assert(filelock.unlock(f) == true)
f:close()
