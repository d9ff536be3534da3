-- Every method of an mmap handle, and a handle left to the collector.
local mmap = require "ipc.mmap"
local path = os.getenv("IPC_OOM_FILE")
local h <close> = assert(mmap.open(path, "rw"))
local _ = { h:read("l", "L", "n", 3, "a") }
h:seek("set")
_ = h:write("one\n", 2, 2.5, "\n", ("x"):rep(100))
h:seek("set")
for a, b in h:lines(2, "L") do _ = { a, b } end
for l in h:lines() do _ = l end
_ = { h:flush(), h:size(), h:addr(), h:setvbuf("full", 10), tostring(h) }
_ = { h:truncate(10), h:seek("cur", -1) }
local left = mmap.open(path, "r", 0, mmap.pagesize)
_ = { left and left:read(1, 1, 1), mmap.open(path .. ".missing"), mmap.open("/") }
