-- A pipeline of children connected directly: options.stdin = other:stdout()
-- hands a pulled pipe to the next command, as the shell's `a | b` does,
-- without a shell and without a byte passing through Lua.
--   LUA_CPATH='./build/?.so;;' LUA_PATH='./lua/?.lua;;' lua5.4 examples/pipeline.lua
local proc = require "ipc.proc"

-- printf 'pear\napple\npear\nfig\n' | sort | uniq -c | sort -rn
local words = assert(proc.spawn({ "printf", "pear\\napple\\npear\\nfig\\npear\\napple\\n" },
  { stdout = true }))
local sorted = assert(proc.spawn({ "sort" }, { stdin = words:stdout(), stdout = true }))
local counted = assert(proc.spawn({ "uniq", "-c" }, { stdin = sorted:stdout(), stdout = true }))
local ranked = assert(proc.spawn({ "sort", "-rn" }, { stdin = counted:stdout(), stdout = true }))

local rows = {}
for line in ranked:lines() do
  local count, word = line:match("(%d+)%s+(%S+)")
  rows[#rows + 1] = word .. "=" .. count
  print(word, count)
end
assert(table.concat(rows, " ") == "pear=3 apple=2 fig=1")

-- Every stage ends on its own; wait for each and check its status.
for _, h in ipairs { words, sorted, counted, ranked } do
  assert(h:wait())
  h:close()
end

-- A lot of data, still without Lua in the middle: 64 MiB through wc -c.
local head = assert(proc.spawn({ "head", "-c", tostring(64 << 20), "/dev/zero" },
  { stdout = true }))
local wc = assert(proc.spawn({ "wc", "-c" }, { stdin = head:stdout(), stdout = true }))
local bytes = tonumber(wc:read("n"))
print("bytes through the pipeline:", bytes)
assert(bytes == 64 << 20)
assert(head:wait())
assert(wc:wait())
head:close()
wc:close()
