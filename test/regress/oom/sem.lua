-- Every method of semaphore handles.
local sem = require "ipc.sem"
local name = os.getenv("IPC_OOM_NAME")
local s <close> = assert(sem.create(name, 1))
local o = assert(sem.open(name))
local _ = { s:inc(), o:dec(0), o:dec(0.001), s:inc(), s:dec(), s:value(), tostring(o) }
_ = { o:close(), sem.create(name), sem.open(name .. "-missing"), sem.remove(name .. "-missing") }
