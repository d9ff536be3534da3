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

-- The luv peer of the pipe workloads: starts `/bin/sh -c command` with its
-- stdout on a pipe (stdin on `inp` when given), calls `on_data(data)` for
-- each piece of output and closes the pipe at its end. The caller runs the
-- loop.
function lib.luv_sh(uv, command, inp, on_data)
  local out = uv.new_pipe(false)
  local child
  child = assert(uv.spawn("/bin/sh", {
    args = { "-c", command },
    stdio = { inp or 0, out, 2 },
  }, function(code)
    assert(code == 0)
    child:close()
  end))
  out:read_start(function(err, data)
    assert(not err, err)
    if data then on_data(data) else out:close() end
  end)
end

return lib
