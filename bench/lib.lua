-- Helpers shared by the Lua variants of the workloads.
local clock = require "benchclock"

local lib = { now = clock.now }

local function readfile(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
lib.readfile = readfile

-- A field of /proc/self/status given in kB (VmHWM, VmRSS), as a number.
function lib.status_kib(field)
  return tonumber(readfile("/proc/self/status"):match(field .. ":%s*(%d+)"))
end

function lib.pid()
  return tonumber(readfile("/proc/self/stat"):match("^(%d+)"))
end

-- A shell command that runs `variant` of `workload` in another interpreter.
function lib.command(workload, variant, ...)
  local words = { lib.interpreter, lib.script, workload, variant, ... }
  for i, w in ipairs(words) do
    words[i] = "'" .. tostring(w):gsub("'", "'\\''") .. "'"
  end
  return table.concat(words, " ")
end

return lib
