-- A short tour of ipc.proc: run a command with its stdin fed from Lua and
-- its stdout and stderr captured separately.
local proc = require "ipc.proc"

local out, err = {}, {}
local h = assert(proc.spawn(
  "tr a-z A-Z; echo 'a word on stderr' >&2; exit 3",
  {
    stdin = true, stdout = true, stderr = true,
    -- Called with each piece of output as it arrives.
    callback = function(stream, data)
      table.insert(stream == "stdout" and out or err, data)
    end,
  }))
h:write("hello from lua\n", "second line\n", proc.EOF)  -- queued, never blocks
local ok, what, code = h:wait()                           -- like os.execute
h:close()

print("stdout: " .. table.concat(out):gsub("\n$", ""):gsub("\n", " | "))
print("stderr: " .. table.concat(err):gsub("\n$", ""))
print(("status: ok=%s, %s %d"):format(ok, what, code))

-- The same in one call.
local r = proc.run({ "wc", "-c" }, { input = "twelve bytes" })
print(("proc.run: %s bytes counted by wc, exit %d"):format(r.stdout:match("%d+"), r.code))
