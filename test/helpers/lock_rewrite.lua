-- Child program: under an exclusive lock, replaces the content of file
-- arg[1] by arg[2], in which a backslash followed by n stands for a newline
-- (a command line on Windows cannot hold one).
local filelock = require "ipc.filelock"
local f = assert(io.open(arg[1], "r+b"))
assert(filelock.lock(f, "w") == true)
f:write((arg[2]:gsub("\\n", "\n")))
assert(filelock.unlock(f) == true)
f:close()
