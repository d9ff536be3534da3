-- Shared helpers for the busted specs and their child programs in
-- test/helpers/ (found as "spec_helper" through LUA_PATH, which puts
-- ./test/?.lua on the path). Child processes inherit LUA_CPATH and
-- LUA_PATH from the test run, so `lua5.4 file.lua` in a child finds the
-- module being tested.
local H = {}

-- Windows (test/windows/busted.sh runs the specs under Wine): commands go
-- through cmd.exe, children are IPC_LUA (lua.exe), and no POSIX tool or
-- /proc is at hand.
H.WINDOWS = package.config:sub(1, 1) == "\\"
H.LUA = os.getenv("IPC_LUA") or "lua5.4"
-- cmd.exe finds a program by a path with backslashes more reliably.
if H.WINDOWS then H.LUA = H.LUA:gsub("/", "\\") end
H.BUILD = os.getenv("IPC_BUILD") or "build"
H.SANITIZED = os.getenv("IPC_SANITIZED") == "1"

-- errno values and their messages as the C runtime gives them: Linux's
-- (glibc, musl) or the Microsoft C runtime's. Specs compare with these,
-- never with numbers.
local E_LINUX = {
  ENOENT = 2, EIO = 5, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13,
  EFAULT = 14, EBUSY = 16, EEXIST = 17, ENOTDIR = 20, EISDIR = 21,
  EINVAL = 22, ENOSPC = 28, ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38,
  EOVERFLOW = 75, ENOTSUP = 95, ETIMEDOUT = 110, E2BIG = 7, EPIPE = 32,
  ESRCH = 3, ECONNRESET = 104,
}
local E_WINDOWS = {
  ENOENT = 2, EIO = 5, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13,
  EFAULT = 14, EBUSY = 16, EEXIST = 17, ENOTDIR = 20, EISDIR = 21,
  EINVAL = 22, ENOSPC = 28, ENAMETOOLONG = 38, ENOLCK = 39, ENOSYS = 40,
  EOVERFLOW = 132, ENOTSUP = 129, ETIMEDOUT = 138, E2BIG = 7, EPIPE = 32,
  ESRCH = 3, ECONNRESET = 108,
}
H.E = H.WINDOWS and E_WINDOWS or E_LINUX
H.MSG = {
  ENOENT = "No such file or directory", EEXIST = "File exists",
  EINVAL = "Invalid argument", EFAULT = "Bad address",
  ENAMETOOLONG = "File name too long",
}

local function readfile(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
H.readfile = readfile

-- The peak resident set of this process in KiB (Linux's /proc: gate on
-- proc_fs).
function H.peak_rss_kib()
  return tonumber(readfile("/proc/self/status"):match("VmHWM:%s*(%d+)"))
end

function H.writefile(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

-- The process id of this Lua process. Plain Lua on Windows has no way to
-- it: there it is a number drawn once per process, which is all that
-- H.uniq needs.
local pid_drawn
function H.pid()
  if H.WINDOWS then
    if not pid_drawn then
      math.randomseed(os.time(), tonumber(tostring({}):match("%x+$"), 16))
      pid_drawn = math.random(1, 1e6)
    end
    return pid_drawn
  end
  return tonumber(readfile("/proc/self/stat"):match("^(%d+)"))
end

-- Seconds since boot, from /proc/uptime: a monotonic wall clock with 10 ms
-- resolution, enough for the generous bounds the specs check; on Windows
-- luasystem's monotonic clock (busted's own dependency).
function H.now()
  if H.WINDOWS then return require("system").monotime() end
  return tonumber(readfile("/proc/uptime"):match("^([%d.]+)"))
end

-- Whether process `pid` exists (zombies included).
function H.alive(pid)
  return os.execute("kill -0 " .. pid .. " 2>/dev/null") == true
end

local counter = 0
-- A name for shm or semaphores that no other run or test uses.
function H.uniq(prefix)
  counter = counter + 1
  return ("%s-%d-%d-%d"):format(prefix or "ipctest", H.pid(), counter,
    math.random(1, 1e9))
end

-- A fresh temporary file name (removed by the caller). Windows'
-- os.tmpname names a file in the root of the drive, the same sequence in
-- every process: there the name is made under TEMP.
local tmp_count = 0
function H.tmpname()
  if not H.WINDOWS then return os.tmpname() end
  tmp_count = tmp_count + 1
  return ("%s\\ipctest-%d-%d.tmp"):format(os.getenv("TEMP") or ".", H.pid(),
    tmp_count)
end

-- Files, shm names and semaphore names made by H.tmpfile, H.shm_name and
-- H.sem_name, removed by H.cleanup (an after_each hook of the specs that
-- use them) whatever the test did.
local scratch = { files = {}, shm = {}, sem = {} }

-- Has file `path`, made by the test or by its children, removed likewise.
function H.track_file(path)
  scratch.files[#scratch.files + 1] = path
  return path
end

-- A fresh temporary file, holding `content` if given.
function H.tmpfile(content)
  local p = H.track_file(H.tmpname())
  if content then H.writefile(p, content) end
  return p
end

-- A fresh shared memory name, or `n` if given (to be removed likewise).
function H.shm_name(n)
  n = n or H.uniq("ipcshm")
  scratch.shm[#scratch.shm + 1] = n
  return n
end

-- A fresh semaphore name, or `n` if given (to be removed likewise).
function H.sem_name(n)
  n = n or H.uniq("ipcsem")
  scratch.sem[#scratch.sem + 1] = n
  return n
end

function H.cleanup()
  for _, p in ipairs(scratch.files) do os.remove(p) end
  for _, n in ipairs(scratch.shm) do require("ipc.shm").remove(n) end
  for _, n in ipairs(scratch.sem) do require("ipc.sem").remove(n) end
  scratch = { files = {}, shm = {}, sem = {} }
end

-- Quotes a string for /bin/sh; on Windows, for the Microsoft C runtime's
-- parsing of a command line (the specs' arguments end in no backslash).
function H.shquote(s)
  if H.WINDOWS then return '"' .. tostring(s):gsub('"', '\\"') .. '"' end
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- A command line as os.execute and io.popen take it: cmd.exe /c drops the
-- first and last quote of a line that starts with one, so on Windows the
-- line is wrapped in one more pair.
function H.shell(line)
  return H.WINDOWS and '"' .. line .. '"' or line
end

-- The command line that runs child program test/helpers/<name>.lua with
-- `args` in a child Lua.
function H.command(name, ...)
  local args = { H.shquote(H.LUA), "test/helpers/" .. name .. ".lua" }
  for i = 1, select("#", ...) do args[#args + 1] = H.shquote(select(i, ...)) end
  return H.shell(table.concat(args, " "))
end

-- Runs Lua `code` in a child lua5.4 with the given extra arguments and
-- returns ok, what, code, stdout, stderr (os.execute-style status first).
function H.run_lua(code, ...)
  local script = H.tmpname()
  H.writefile(script, code)
  local out, err = H.tmpname(), H.tmpname()
  local args = {}
  for i = 1, select("#", ...) do args[i] = H.shquote(select(i, ...)) end
  local ok, what, status
  if H.WINDOWS then
    -- Under Wine os.execute misreports failures; a pipe's close does not.
    local p = io.popen(H.shell(("%s %s %s >%s 2>%s"):format(H.shquote(H.LUA),
      H.shquote(script), table.concat(args, " "), H.shquote(out),
      H.shquote(err))))
    p:read("a")
    ok, what, status = p:close()
  else
    -- A hang fails the test (status 137 from the KILL) instead of the run.
    ok, what, status = os.execute(("timeout -s KILL 300 %s %s %s >%s 2>%s"):format(
      H.LUA, script, table.concat(args, " "), out, err))
  end
  local o, e = readfile(out), readfile(err)
  os.remove(script); os.remove(out); os.remove(err)
  if H.WINDOWS then -- a child's stdout is in text mode there
    o, e = o:gsub("\r\n", "\n"), e:gsub("\r\n", "\n")
  end
  return ok, what, status, o, e
end

-- Starts Lua `code` in a background child; returns a table with :wait()
-- that waits for it and returns ok, what, code, stdout, stderr.
function H.spawn_lua(code, ...)
  local script, out, err = H.tmpname(), H.tmpname(), H.tmpname()
  local rc = H.tmpname()
  H.writefile(script, code)
  local args = {}
  for i = 1, select("#", ...) do args[i] = H.shquote(select(i, ...)) end
  local child = {}
  if H.WINDOWS then
    -- io.popen returns while the child runs; its close gives the status.
    local q = H.shquote
    local pipe = io.popen(H.shell(("%s %s %s >%s 2>%s"):format(q(H.LUA),
      q(script), table.concat(args, " "), q(out), q(err))))
    function child.wait()
      pipe:read("a")
      local _, what, code = pipe:close()
      local o, e = readfile(out):gsub("\r\n", "\n"), readfile(err)
      for _, p in ipairs { script, out, err } do os.remove(p) end
      return code == 0 or nil, what, code, o, e
    end
    return child
  end
  os.execute(("(%s %s %s >%s 2>%s; echo $? >%s.done; mv %s.done %s) &"):format(
    H.LUA, script, table.concat(args, " "), out, err, rc, rc, rc))
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
  if H.WINDOWS then return require("system").sleep(seconds) end
  os.execute(("sleep %.3f"):format(seconds))
end

-- Starts a child that locks file `path` whole for writing and unlocks it
-- 0.4 s later; returns once the child holds the lock, with the child (as
-- H.spawn_lua returns it) to wait for.
function H.hold_lock_briefly(path)
  local child = H.spawn_lua([[
    local f = assert(io.open(..., "r+"))
    assert(require("ipc.filelock").lock(f, "w"))
    io.open(... .. ".held", "w"):close()
    require("spec_helper").sleep(0.4)
    f:close()
  ]], path)
  local held = H.track_file(path .. ".held")
  while true do
    local f = io.open(held)
    if f then f:close() break end
    H.sleep(0.01)
  end
  return child
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

-- Whether process `pid` has ended: gone, or a zombie of some other process
-- (a reaper that is slow to reap), never one of this process.
function H.ended(pid)
  local f = io.open("/proc/" .. pid .. "/stat")
  local s = f and f:read("a")
  if f then f:close() end
  if not s then return true end
  local state, ppid = s:match("%) (%a) (%d+)")
  return state == "Z" and tonumber(ppid) ~= H.pid()
end

-- The command that runs Lua `code` in a child Lua (`lua -e code`).
function H.lua_argv(code)
  return { H.LUA, "-e", code }
end

-- Text a child Lua wrote to its stdout or stderr, with "\n" line ends: on
-- Windows the child's streams are in text mode, which may write "\r\n"
-- (Wine writes "\n" to a pipe, Windows "\r\n"). Elsewhere `s` as it is.
function H.lf(s)
  if H.WINDOWS and type(s) == "string" then return (s:gsub("\r\n", "\n")) end
  return s
end

-- Whether a process that test/helpers/proc_holder.lua started holds the
-- lock on file `path`, i.e. still runs: a way to see a process live or
-- die on every platform, without its pid.
function H.held(path)
  local f = io.open(path, "r+b")
  if not f then return false end
  local filelock = require "ipc.filelock"
  local free, msg = filelock.trylock(f, "w")
  assert(free ~= nil, msg)
  if free then filelock.unlock(f) end
  f:close()
  return not free
end

-- Polls `cond()` every 10 ms, for a minute at most, until it holds;
-- returns whether it did (a bound for a hang, not a timing assertion).
function H.eventually(cond)
  for _ = 1, 6000 do
    if cond() then return true end
    H.sleep(0.01)
  end
  return false
end

-- Inside a describe block of ipc.proc tests: each test must leave as many
-- descriptors open as it found, and no zombie. The first spawn creates the
-- loop and libuv's signal pipes, which live as long as the Lua state, so
-- one spawn comes first.
-- Windows has neither /proc to count descriptors nor zombies: there only
-- the first spawn is made.
function H.check_process_leaks(proc)
  local busted, luassert = require "busted", require "luassert"
  local fds
  busted.setup(function()
    local h = assert(proc.spawn({ H.LUA, "-e", "" },
      { stdout = true, callback = print }))
    h:wait()
    h:close()
  end)
  if H.WINDOWS then return end
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

-- Runs `code` in a child Lua with the given extra arguments, asserts that
-- the child exited with status 0 and returns its stdout. Also used for
-- calls that might crash, so that a crash fails one test instead of the
-- whole run.
function H.in_child(code, ...)
  local ok, what, status, out, err = H.run_lua(code, ...)
  assert(ok, ("child failed (%s %s):\n%s%s"):format(what, status, out, err))
  return out
end

-- Asserts the `nil, message, code` shape of an OS failure: exactly three
-- results, a non-empty message, a positive integer errno, which equals
-- `code` when given. Returns the message and the errno.
function H.assert_fail(code, ...)
  local n = select("#", ...)
  local ok, msg, errno = ...
  assert(n == 3, ("wanted 3 results, got %d (%s, %s)"):format(n,
    tostring(ok), tostring(msg)))
  assert(ok == nil, "first result is " .. tostring(ok))
  assert(type(msg) == "string" and #msg > 0, "message " .. tostring(msg))
  assert(math.type(errno) == "integer" and errno > 0, "code " .. tostring(errno))
  if code then assert(errno == code, ("errno %d, wanted %d (%s)"):format(
    errno, code, msg)) end
  return msg, errno
end

-- Asserts that f(...) raises an error whose message contains `text`
-- (plain); returns the error.
function H.raises(text, f, ...)
  local ok, err = pcall(f, ...)
  if ok then error(("no error, wanted %q"):format(text), 2) end
  if not tostring(err):find(text, 1, true) then
    error(("error %q, wanted %q"):format(tostring(err), text), 2)
  end
  return err
end

-- What the specs gate on: the platform table (require("ipc").platform),
-- Lua files behaving as POSIX stdio,
-- and what follows from the OS: POSIX tools and /proc for the specs that
-- use them (sh, kill, stat, truncate, mkfifo, ulimit), another process
-- cutting a mapped object short (Windows refuses that), and attach seeing
-- a segment's exact size (Windows rounds it to whole pages).
H.platform = require("ipc").platform
H.CAN = setmetatable({
  posix_tools = not H.WINDOWS,
  -- String commands run by /bin/sh (its syntax: $$, &, traps, redirections).
  posix_shell = not H.WINDOWS,
  -- execvp's rules: PATH search past entries it cannot run, scripts
  -- without #!, EACCES for a file that is not executable.
  posix_exec = not H.WINDOWS,
  -- /proc: a process's descriptors, state, system call, memory peak.
  proc_fs = not H.WINDOWS,
  -- A pulled stream handed to another child as its stdin (Windows
  -- refuses it: no descriptor to give).
  stream_handoff = not H.WINDOWS,
  -- A command line too long refused (E2BIG): Wine starts a child with a
  -- command line of megabytes, where Windows stops at 32767 characters.
  argv_limit = not H.WINDOWS,
  -- A write into a pipe whose reader is gone fails with EPIPE. Under Wine
  -- libuv reports UV_EOF (ERROR_BROKEN_PIPE), which ipc.proc passes on
  -- as 4095 (errno_of in src/core/status.cpp has no case for it).
  -- The Windows-only specs.
  windows = H.WINDOWS,
  cut_mapped = not H.WINDOWS,
  exact_shm_size = not H.WINDOWS,
  -- Lua files as POSIX stdio makes them (reading a "w" file fails with
  -- EBADF), which the memory-file engine reproduces.
  posix_stdio = not H.WINDOWS,
  -- Byte-range locks as POSIX defines them: one owner's locks merge and
  -- convert, and the file's open mode decides which locks it may take.
  posix_lock_rules = not H.WINDOWS,
}, { __index = H.platform })

-- A semaphore's value: h:value(), or where the platform cannot tell it
-- a count taken by decrementing without waiting and giving the posts back,
-- which holds while no other process uses the semaphore.
function H.sem_count(s)
  if H.platform.sem_value then return s:value() end
  local n = 0
  while s:dec(0) do n = n + 1 end
  for _ = 1, n do assert(s:inc()) end
  return n
end

-- The size of a page of memory (4096 on the systems luaipc runs on):
-- what a shm segment spans at least. mmap.pagesize is the granularity of
-- offsets, which on Windows is larger.
function H.pagesize()
  return 4096
end

-- Tests that need a capability this build or platform lacks are pending,
-- counted per capability; the counts are printed when the run ends
-- (busted closes the state: the anchor's finalizer runs), so no test is
-- skipped silently.
local skipped = {}
H.skip_counts = skipped
H.skip_report = setmetatable({}, { __gc = function()
  local names = {}
  for cap in pairs(skipped) do names[#names + 1] = cap end
  if #names == 0 then return end
  table.sort(names)
  local parts = {}
  for _, cap in ipairs(names) do
    parts[#parts + 1] = ("%s %d"):format(cap, skipped[cap])
  end
  io.stderr:write(("skipped for capabilities %s lacks: %s\n")
    :format(H.platform.os, table.concat(parts, ", ")))
end })

-- Inside a test: false when H.CAN[cap] (the platform table, or what
-- follows from the OS) is true, or equals `value` if given; otherwise the
-- test is pending and counted. Use as `if H.needs("ofd_locks") then
-- return end`.
function H.needs(cap, value)
  local have = H.CAN[cap]
  if value == nil and have or value ~= nil and have == value then return false end
  skipped[cap] = (skipped[cap] or 0) + 1
  local why = ("needs platform.%s%s (%s)"):format(cap,
    value ~= nil and " = " .. tostring(value) or "", H.platform.os)
  -- busted gives the spec files an environment that resolves names in the
  -- running test, where `pending` ends the test as pending (it raises):
  -- find it among the callers.
  for level = 2, 20 do
    local info = debug.getinfo(level, "f")
    if not info then break end
    for i = 1, math.huge do
      local name, env = debug.getupvalue(info.func, i)
      if not name then break end
      if name == "_ENV" and env ~= _G and type(env) == "table" and
          type(env.pending) == "function" then
        env.pending(why)
      end
    end
  end
  return true
end

package.loaded["spec_helper"] = H
_G.H = H
return H
