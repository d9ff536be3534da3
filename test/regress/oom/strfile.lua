-- Every method of a strfile handle.
local strfile = require "ipc.strfile"
local h <close> = strfile.open("a\nbb\r\n12 0x1p4 x\nlast")
local _ = { h:read("l", "L", "n", "n", 0, 2, "a") }
h:seek("set", 2)
for a, b in h:lines(1, "l") do _ = { a, b } end
h:seek("set")
for l in h:lines() do _ = l end
_ = { h:seek("end", -2), h:size(), h:addr(), h:setvbuf("no"), h:flush() }
_ = { h:truncate(3), tostring(h), h:write("x") }
