-- Reading a command's output line by line: proc.lines is io.lines for a
-- child process. Leaving the loop early kills and reaps the child; a
-- command that fails raises once its output has been read.
--   LUA_CPATH='./build/?.so;;' LUA_PATH='./lua/?.lua;;' lua5.4 examples/lines.lua
local proc = require "ipc.proc"

-- 1. Every line of a command, no callback, no splitting by hand.
local n = 0
for line in proc.lines({ "seq", "1000" }) do n = n + #line end
print("digits in 1..1000:", n)
assert(n == 2893)

-- 2. Formats as for io.lines: here two numbers per step.
local sums = {}
for a, b in proc.lines({ "printf", "1 2\n3 4\n5 6\n" }, nil, "n", "n") do
  sums[#sums + 1] = a + b
end
print("sums:", table.concat(sums, " "))
assert(table.concat(sums, " ") == "3 7 11")

-- 3. break: the child (an endless `yes`) is killed and reaped at once.
for line in proc.lines({ "yes", "more" }) do
  print("first of yes:", line)
  break
end

-- 4. A failing command raises at the end, naming it; check = false reads
-- its output all the same.
local ok, err = pcall(function()
  for _ in proc.lines("echo partial; exit 3") do end
end)
print("failed command:", ok, err:match("proc%.lines: .*"))
assert(not ok and err:find("exit 3", 1, true))
for line in proc.lines("echo partial; exit 3", { check = false }) do
  print("unchecked:", line)
end

-- 5. The same stream object by hand: h:lines() for stdout, h:stderr()
-- read on demand, with a timeout that loses nothing.
local h = assert(proc.spawn("echo out; echo err >&2; sleep 0.3; echo late",
  { stdout = true, stderr = true }))
print("stdout:", h:read("l"))
print("stderr:", h:stderr():read("l"))
h:stdout():settimeout(0.05)
print("too early:", h:read("l"))
h:stdout():settimeout(nil)
print("then:", h:read("l"))
print("status:", h:wait())
h:close()
