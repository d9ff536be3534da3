-- Child program: prints what filelock.trylock(file arg[1], mode arg[2],
-- offset arg[3], nbytes arg[4]) returns in a fresh process.
local filelock = require "ipc.filelock"
local f = assert(io.open(arg[1], "r+"))
print(filelock.trylock(f, arg[2], tonumber(arg[3]), tonumber(arg[4])))
f:close()
