-- Shared helpers for the busted specs. Child processes inherit LUA_CPATH and
-- LUA_PATH from the test run, so `lua5.4 file.lua` in a child finds the
-- module being tested.
local H = {}

H.LUA = "lua5.4"
H.BUILD = os.getenv("IPC_BUILD") or "build"
H.SANITIZED = os.getenv("IPC_SANITIZED") == "1"

local function readfile(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
H.readfile = readfile

function H.writefile(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

-- The process id of this Lua process.
function H.pid()
  return tonumber(readfile("/proc/self/stat"):match("^(%d+)"))
end

local counter = 0
-- A name for shm or semaphores that no other run or test uses.
function H.uniq(prefix)
  counter = counter + 1
  return ("%s-%d-%d-%d"):format(prefix or "ipctest", H.pid(), counter,
    math.random(1, 1e9))
end

-- A fresh temporary file name (removed by the caller).
function H.tmpname()
  return os.tmpname()
end

-- Quotes a string for /bin/sh.
function H.shquote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Runs Lua `code` in a child lua5.4 with the given extra arguments and
-- returns ok, what, code, stdout, stderr (os.execute-style status first).
function H.run_lua(code, ...)
  local script = os.tmpname()
  H.writefile(script, code)
  local out, err = os.tmpname(), os.tmpname()
  local args = {}
  for i = 1, select("#", ...) do args[i] = H.shquote(select(i, ...)) end
  local ok, what, status = os.execute(("%s %s %s >%s 2>%s"):format(
    H.LUA, script, table.concat(args, " "), out, err))
  local o, e = readfile(out), readfile(err)
  os.remove(script); os.remove(out); os.remove(err)
  return ok, what, status, o, e
end

-- Starts Lua `code` in a background child; returns a table with :wait()
-- that waits for it and returns ok, what, code, stdout, stderr.
function H.spawn_lua(code, ...)
  local script, out, err = os.tmpname(), os.tmpname(), os.tmpname()
  local rc = os.tmpname()
  H.writefile(script, code)
  local args = {}
  for i = 1, select("#", ...) do args[i] = H.shquote(select(i, ...)) end
  os.execute(("(%s %s %s >%s 2>%s; echo $? >%s.done; mv %s.done %s) &"):format(
    H.LUA, script, table.concat(args, " "), out, err, rc, rc, rc))
  local child = {}
  function child.done()
    local f = io.open(rc, "r")
    local s = f and f:read("a")
    if f then f:close() end
    return s and s:match("%d+") ~= nil
  end
  function child.wait()
    while not child.done() do H.sleep(0.01) end
    local code = tonumber(readfile(rc):match("%d+"))
    local o, e = readfile(out), readfile(err)
    for _, p in ipairs { script, out, err, rc } do os.remove(p) end
    return code == 0 or nil, "exit", code, o, e
  end
  return child
end

function H.sleep(seconds)
  os.execute(("sleep %.3f"):format(seconds))
end

-- Number of open descriptors of this process. The listing goes to a file
-- through os.execute, which opens nothing in this process: with io.popen
-- the pipe's write end lingers here for a moment after the fork, and a
-- fast `ls` would count it.
function H.fd_count()
  local out = os.tmpname()
  os.execute(("ls /proc/%d/fd > %s"):format(H.pid(), out))
  local n = 0
  for _ in io.lines(out) do n = n + 1 end
  os.remove(out)
  return n
end

-- Zombie children of this process (read from /proc, no external tools).
function H.zombies()
  local me = H.pid()
  local p = io.popen("cat /proc/[0-9]*/stat 2>/dev/null")
  local n = 0
  for line in p:lines() do
    -- pid (comm) state ppid ...; comm may hold spaces and parentheses
    local state, ppid = line:match("%) (%a) (%d+)")
    if state == "Z" and tonumber(ppid) == me then n = n + 1 end
  end
  p:close()
  return n
end

-- Inside a describe block of ipc.proc tests: each test must leave as many
-- descriptors open as it found, and no zombie. The first spawn creates the
-- loop and libuv's signal pipes, which live as long as the Lua state, so
-- one spawn comes first.
function H.check_process_leaks(proc)
  local busted, luassert = require "busted", require "luassert"
  local fds
  busted.setup(function()
    local h = assert(proc.spawn({ "true" }, { stdout = true, callback = print }))
    h:wait()
    h:close()
  end)
  busted.before_each(function()
    collectgarbage()
    collectgarbage()
    fds = H.fd_count()
  end)
  busted.after_each(function()
    collectgarbage()
    collectgarbage()
    luassert.equal(fds, H.fd_count())
    luassert.equal(0, H.zombies())
  end)
end

-- Runs `code` in a child Lua: used for calls that might crash, so that a
-- crash fails one test instead of the whole run. Returns the child's
-- stdout and asserts the child exited with status 0.
function H.in_child(code)
  local ok, what, status, out, err = H.run_lua(code)
  assert(ok, ("child failed (%s %s):\n%s%s"):format(what, status, out, err))
  return out
end

package.loaded["spec_helper"] = H
_G.H = H
return H
