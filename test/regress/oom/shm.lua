-- Every method of shm handles, creator and attached; names removed whether
-- the run ends early or not (the creator's finalizer removes it).
local shm = require "ipc.shm"
local name = os.getenv("IPC_OOM_NAME")
local h <close> = assert(shm.create(name, 4096))
local a = assert(shm.attach(name))
h:write("hello\n", 42, " ", 1.5, "\n")
local _ = { a:read("l", "n", "n", 1, "a") }
a:seek("set")
for x, y in a:lines(1, "l") do _ = { x, y } end
_ = { a:size(), a:addr(), a:flush(), a:truncate(5), tostring(a), a:close() }
_ = { shm.create(name, 8), shm.attach(name .. "-missing"), shm.remove(name .. "-missing") }
