-- ipc.proc in a plain script (no luv). The module runs its own private
-- event loop, and only inside h:wait(): callbacks run there and nowhere
-- else, so the script reads top to bottom like ordinary sequential code.
--   LUA_CPATH='./build/?.so;;' lua5.4 examples/plain.lua
local proc = require "ipc.proc"
local strfile = require "ipc.strfile"

-- 1. The common case in one call: run a command, feed it input, get its
-- output and status back in a table. An array runs the program directly,
-- without a shell, so the arguments need no quoting.
local r = assert(proc.run({ "sort", "-r" }, { input = "pear\napple\nfig\n" }))
print("sort -r:", (r.stdout:gsub("\n", " ")), r.what, r.code)

-- 2. A conversation: stdout and stderr arrive separately through the
-- callback while wait() runs. write() queues and never blocks; proc.EOF
-- closes the child's stdin once everything before it has been sent.
local lines = {}
local h = assert(proc.spawn("while read w; do echo \"got $w\"; done; " ..
  "echo 'input ended' >&2; exit 3", {
    stdin = true, stdout = true, stderr = true,
    callback = function(stream, data, msg)
      if not data then error(stream .. ": " .. msg) end
      lines[#lines + 1] = stream .. ": " .. data:gsub("\n$", "")
    end,
  }))
h:write("one\n", "two\n")
h:write("three\n", proc.EOF)
local ok, what, code = h:wait(10)   -- like os.execute; false on timeout
print(table.concat(lines, "\n"))
print("status:", ok, what, code)    --> nil  exit  3
h:close()

-- 3. A timeout: wait(t) returns false when the child is still running,
-- and kill() ends it. wait() then reports how it really ended.
local sleeper <close> = assert(proc.spawn({ "sleep", "30" }))
print("wait(0.2):", sleeper:wait(0.2))                   --> false
print("kill:", sleeper:kill("term"))                      --> true
print("after kill:", sleeper:wait())                      --> nil signal 15

-- 4. The output of a command is often read like a file: strfile gives a
-- string the methods of a Lua file, so io-style parsing code works on it.
local seq = assert(proc.run({ "seq", "5" }))
local f <close> = strfile.open(seq.stdout)
local sum = 0
for n in f:lines("n") do sum = sum + n end
print("sum of seq 5:", sum)                              --> 15
