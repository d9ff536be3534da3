-- ipc.proc against real child processes (see README.md, "ipc.proc").
require "spec_helper"
local proc = require "ipc.proc"
local filelock = require "ipc.filelock"

local LUA = H.LUA
local ARGS = "test/helpers/proc_args.lua"
local ECHO = "test/helpers/proc_echo.lua"
local CAT = "test/helpers/proc_cat.lua"
local HOLDER = "test/helpers/proc_holder.lua"
local LEAVE = "test/helpers/proc_leave.lua"
local lf = H.lf

-- The command that runs Lua `code` in a child Lua, where `sleep(s)` sleeps.
local function lua(code)
  return H.lua_argv("local sleep = require('system').sleep; " .. code)
end
-- A child that sleeps for `s` seconds (30 by default).
local function sleeper(s) return lua(("sleep(%s)"):format(s or 30)) end
-- A child that does nothing and exits 0.
local TRUE = H.lua_argv("")
local NULL_DEVICE = H.WINDOWS and "NUL" or "/dev/null"

-- The environment of a proc_holder.lua child that starts its grandchild
-- with io.popen: outside ipc.proc, so that only the group can end it (on
-- Windows libuv's own job object would end a grandchild it started).
local OUTSIDE = { IPC_HOLDER_POPEN = "1" }
-- A file locked here: a proc_holder.lua child with IPC_HOLDER_UNTIL set
-- to its path runs until release() is called.
local function gate()
  local path = H.tmpfile("")
  local f = assert(io.open(path, "r+b"))
  assert(filelock.lock(f, "w"))
  return path, function() f:close() end
end

-- proc.run's result for a child that must succeed.
local function run_ok(cmd, opts)
  local r = assert(proc.run(cmd, opts))
  assert(r.ok, ("child failed (%s %s):\n%s%s"):format(r.what, r.code, r.stdout, r.stderr))
  return r
end

-- A fresh file name for a proc_holder.lua child to lock while it runs.
local function hold_path() return H.track_file(H.tmpname()) end
-- Waits until the holders of `paths` run (hold their locks).
local function until_held(...)
  for _, path in ipairs { ... } do
    assert.is_true(H.eventually(function() return H.held(path) end))
  end
end
-- Whether the holders of `paths` have all ended, waiting a moment.
local function released(...)
  local paths = { ... }
  return H.eventually(function()
    for _, path in ipairs(paths) do if H.held(path) then return false end end
    return true
  end)
end

-- Spawns with pipes for the streams named in `opts` and a callback that
-- collects output per stream; returns the handle and the collector.
local function spawn_collect(cmd, opts)
  local got = { stdout = {}, stderr = {}, errors = {} }
  opts = opts or {}
  opts.callback = function(stream, data, msg, code)
    if data then
      table.insert(got[stream], data)
    else
      table.insert(got.errors, { stream, msg, code })
    end
  end
  local h, msg, code = proc.spawn(cmd, opts)
  return h, got, msg, code
end

local function text(t) return table.concat(t) end

-- A fresh directory holding executable shell scripts (name -> body);
-- the caller removes it.
local function new_dir(scripts)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir " .. dir))
  for name, body in pairs(scripts or {}) do
    H.writefile(dir .. "/" .. name, "#!/bin/sh\n" .. body .. "\n")
    assert(os.execute("chmod +x " .. dir .. "/" .. name))
  end
  return dir
end

-- Runs Lua `code` in a child lua5.4 with `env` added to its environment,
-- started directly or, given `shell`, as `sh -c shell lua5.4 code`:
-- `shell` ends in exec "$0" -e "$1" and may first change what the child
-- inherits (closed streams, ignored signals). In the child, H, `proc` and
-- luassert's `same` are defined. The child must exit 0; returns its stdout
-- and stderr (line ends as "\n", see H.lf).
local CHILD_PRELUDE = 'require "spec_helper"; local proc = require "ipc.proc"; '
  .. 'local same = require("luassert").same\n'
local function lua_child(code, shell, env)
  local cmd = { LUA, "-e", CHILD_PRELUDE .. code }
  if shell then cmd = { "sh", "-c", shell, LUA, CHILD_PRELUDE .. code } end
  local r = assert(proc.run(cmd, { env = env, timeout = 30 }))
  assert(r.ok, ("child failed (%s %s):\n%s%s"):format(r.what, r.code, r.stdout, r.stderr))
  return lf(r.stdout), lf(r.stderr)
end

-- Whether child `pid`, a proc_holder.lua holding `path`, has ended: on
-- POSIX at once (no process by that pid, not even a zombie); on Windows
-- once its lock is free, which can come a moment after the handle let go
-- (TerminateProcess returns before the process is gone).
local function ended(pid, path)
  if H.WINDOWS then return released(path) end
  return not H.alive(pid)
end

describe("ipc.proc", function()
  H.check_process_leaks(proc)
  after_each(H.cleanup)

  describe("capturing output, feeding input, killing: the basic uses", function()
    it("captures stdout only", function()
      local h, got = spawn_collect(lua("io.write('hello\\nworld\\n')"),
        { stdout = true })
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal("hello\nworld\n", lf(text(got.stdout)))
      h:close()
    end)

    it("captures stderr only", function()
      local h, got = spawn_collect(lua("io.stderr:write('oops\\n')"),
        { stderr = true })
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal("oops\n", lf(text(got.stderr)))
      assert.same({}, got.stdout)
      h:close()
    end)

    it("captures stdout and stderr separately", function()
      local h, got = spawn_collect(lua("io.write('out\\n'); "
        .. "io.stderr:write('err\\n'); io.write('out2\\n')"),
        { stdout = true, stderr = true })
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal("out\nout2\n", lf(text(got.stdout)))
      assert.equal("err\n", lf(text(got.stderr)))
      h:close()
    end)

    it("reports a child that fails with exit code 1", function()
      local h, got = spawn_collect(lua("error('boom')"), { stderr = true })
      assert.same({ nil, "exit", 1 }, { h:wait() })
      assert.matches("boom", text(got.stderr))
      h:close()
    end)

    it("runs a child without any I/O", function()
      local h = assert(proc.spawn("exit 0", {}))
      assert.same({ true, "exit", 0 }, { h:wait() })
      h:close()
      h = assert(proc.spawn(TRUE))
      assert.same({ true, "exit", 0 }, { h:wait() })
      h:close()
    end)

    it("feeds one line of input", function()
      local h, got = spawn_collect({ LUA, ECHO }, { stdin = true, stdout = true, stderr = true })
      h:write("one line\n")
      h:write(proc.EOF)
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal("one line\n", lf(text(got.stdout)))
      h:close()
    end)

    it("feeds many lines, then EOF", function()
      local h, got = spawn_collect({ LUA, ECHO, "5" },
        { stdin = true, stdout = true, stderr = true })
      local lines = {}
      for i = 1, 1000 do lines[i] = "line number " .. i .. "\n" end
      for i = 1, 1000, 10 do
        assert.is_true(h:write(table.unpack(lines, i, i + 9)))
      end
      h:write(proc.EOF)
      assert.same({ nil, "exit", 5 }, { h:wait() })
      assert.equal(table.concat(lines), lf(text(got.stdout)))
      assert.matches("line 1000\n$", lf(text(got.stderr)))
      h:close()
    end)

    it("kills a child with 'term'", function()
      local h = assert(proc.spawn(sleeper()))
      assert.is_true(h:kill("term"))
      assert.same({ nil, "signal", 15 }, { h:wait() })
      h:close()
    end)

    it("redirects stdin and stdout to Lua files", function()
      local inname, outname = H.tmpname(), H.tmpname()
      H.writefile(inname, "from a file\n")
      local fin, fout = assert(io.open(inname, "rb")), assert(io.open(outname, "wb"))
      fout:write("first ")  -- buffered: spawn flushes it before the child writes
      local h = assert(proc.spawn({ LUA, CAT }, { stdin = fin, stdout = fout }))
      assert.same({ true, "exit", 0 }, { h:wait() })
      h:close()
      fin:close()
      fout:close()
      assert.equal("first from a file\n", lf(H.readfile(outname)))
      os.remove(inname)
      os.remove(outname)
    end)
  end)

  describe("status", function()
    it("returns exit codes like os.execute", function()
      for _, code in ipairs { 0, 1, 2, 42, 255 } do
        local h = assert(proc.spawn("exit " .. code))
        -- Under Wine os.execute misreports a failure (test/windows/README.md).
        local want = H.WINDOWS and { code == 0 or nil, "exit", code }
          or { os.execute("exit " .. code) }
        assert.same(want, { h:wait() })
        h:close()
      end
    end)

    it("returns a kill like os.execute", function()
      local h = assert(proc.spawn(sleeper()))
      assert.is_true(h:kill(9))
      assert.same({ nil, "signal", 9 }, { h:wait() })
      h:close()
    end)

    it("returns signals like os.execute", function()
      if H.needs("signals") then return end
      local h = assert(proc.spawn({ "sh", "-c", "kill -USR1 $$" }))
      assert.same({ nil, "signal", 10 }, { h:wait() })
      h:close()
    end)

    it("returns the same results on every later wait", function()
      local h = assert(proc.spawn("exit 7"))
      assert.same({ nil, "exit", 7 }, { h:wait() })
      assert.same({ nil, "exit", 7 }, { h:wait() })
      assert.same({ nil, "exit", 7 }, { h:wait(0) })
      h:close()
    end)

    it("polls with wait(0) and times out with wait(t)", function()
      local h = assert(proc.spawn(sleeper(0.5)))
      assert.is_false(h:wait(0))
      local t0 = os.clock() + os.time()
      local start = os.time()
      local r = h:wait(0.1)
      assert.is_false(r)
      assert.same({ true, "exit", 0 }, { h:wait(10) })
      h:close()
      assert.is_true(os.time() - start < 10, tostring(t0))
    end)

    it("kills with every named signal and numbers", function()
      if H.needs("signals") then return end
      for _, name in ipairs { "int", "hup", "quit", "usr1", "usr2", "kill", "term" } do
        local h = assert(proc.spawn({ "sleep", "30" }))
        assert.is_true(h:kill(name))
        local ok, what = h:wait()
        assert.is_nil(ok)
        assert.equal("signal", what)
        h:close()
      end
      local h = assert(proc.spawn({ "sleep", "30" }))
      assert.is_true(h:kill("stop"))
      assert.is_false(h:wait(0.05))
      assert.is_true(h:kill("cont"))
      assert.is_true(h:kill())  -- "term" by default
      assert.same({ nil, "signal", 15 }, { h:wait() })
      assert.is_nil((h:kill("term")))  -- reaped: no longer signalled
      h:close()
    end)

    it("returns the pid", function()
      if H.needs("posix_shell") then return end
      local h, got = spawn_collect("echo $$", { stdout = true })
      assert.is_true(h:wait())
      assert.equal(h:pid() .. "\n", text(got.stdout))
      h:close()
    end)
  end)

  describe("command forms and options", function()
    it("passes argv untouched, without a shell", function()
      local args = { "a b", "'q'", '"dq"', "x;y", "$(echo no)", "`no`",
        "line1\nline2", "*", "", "$HOME", "\\" }
      local h, got = spawn_collect({ LUA, ARGS, table.unpack(args) }, { stdout = true })
      assert.is_true(h:wait())
      assert.equal(table.concat(args, "\0") .. "\0", lf(text(got.stdout)))
      h:close()
    end)

    it("searches the program in PATH, numbers become strings", function()
      -- Lua by its bare name: busted.sh puts lua.exe on Wine's PATH.
      local h, got = spawn_collect({ H.WINDOWS and "lua" or "lua5.4", ARGS, 1, 2.5 },
        { stdout = true })
      assert.is_true(h:wait())
      assert.equal("1\0" .. "2.5\0", text(got.stdout))
      h:close()
    end)

    it("merges env, removes variables set to false", function()
      -- A variable the parent has, to remove (not one of those libuv gives
      -- every child on Windows: test/proc_windows_spec.lua).
      local gone = H.WINDOWS and "IPC_LUA" or "HOME"
      assert.is_string(os.getenv(gone))
      local h, got = spawn_collect(lua("for _, n in ipairs { 'IPC_A', 'IPC_B', '"
        .. gone .. "', 'PATH' } do io.write(n, '=', tostring(os.getenv(n)), ';') end"),
        { stdout = true, env = { IPC_A = "1", IPC_B = 2, [gone] = false } })
      assert.is_true(h:wait())
      assert.equal(("IPC_A=1;IPC_B=2;%s=nil;PATH=%s;"):format(gone, os.getenv("PATH")),
        text(got.stdout))
      h:close()
    end)

    it("starts from an empty environment with clear_env", function()
      -- Windows keeps the variables a process needs (test/proc_windows_spec.lua).
      if H.needs("posix_tools") then return end
      local h, got = spawn_collect({ "/usr/bin/env" }, { stdout = true,
        clear_env = true, env = { ONLY = "this" } })
      assert.is_true(h:wait())
      assert.equal("ONLY=this\n", text(got.stdout))
      h:close()
    end)

    it("searches argv[0] in the PATH the child will have", function()
      if H.needs("posix_tools") then return end
      local dir = new_dir { ["ipc-only-here"] = "echo found" }
      finally(function() os.execute("rm -r " .. dir) end)
      local h, got = spawn_collect({ "ipc-only-here" }, { stdout = true,
        env = { PATH = dir .. ":/usr/bin:/bin" } })
      assert.is_true(h:wait())
      assert.equal("found\n", text(got.stdout))
      h:close()
      local h2, msg, code = proc.spawn({ "ipc-only-here" })
      assert.is_nil(h2)
      assert.is_string(msg)
      assert.equal(2, code)
    end)

    it("runs in cwd", function()
      local dir = H.WINDOWS and os.getenv("TEMP") or "/tmp"
      local h, got = spawn_collect(lua("io.write(require('lfs').currentdir())"),
        { stdout = true, cwd = dir })
      assert.is_true(h:wait())
      assert.equal(dir, text(got.stdout))
      h:close()
    end)

    it("fails to start with a bad cwd or a missing program", function()
      local h, msg, code = proc.spawn(TRUE, { cwd = "/nonexistent/dir" })
      assert.is_nil(h)
      assert.is_string(msg)
      assert.equal(H.E.ENOENT, code)
      assert.matches("cwd /nonexistent/dir", msg, 1, true)
      -- A file is no directory, whichever way the child is started.
      local file = H.tmpfile("x")
      local ways = { { cwd = file } }
      if H.platform.die_with_parent then  -- the fork and exec path
        ways[2] = { cwd = file, die_with_parent = true }
      end
      for _, o in ipairs(ways) do
        h, msg, code = proc.spawn(TRUE, o)
        assert.is_nil(h)
        assert.equal(H.E.ENOTDIR, code)
        assert.matches("cwd " .. file .. ": ", msg, 1, true)
      end
      h, msg, code = proc.spawn({ "/nonexistent/program" }, {})
      assert.is_nil(h)
      assert.equal(H.E.ENOENT, code)
    end)

    it("fails to start a file that is not executable", function()
      if H.needs("posix_exec") then return end
      local h, _, code = proc.spawn({ "/etc/passwd" }, {})
      assert.is_nil(h)
      assert.equal(H.E.EACCES, code) -- not executable
    end)

    it("fails to start with a command line too long", function()
      if H.needs("argv_limit") then return end
      local big = string.rep("x", 200000)
      local args = { TRUE[1], TRUE[2], TRUE[3] }
      for i = 4, 30 do args[i] = big end
      local h, msg, code = proc.spawn(args, {})
      assert.is_nil(h)
      assert.equal(H.E.E2BIG, code)
      assert.is_string(msg)
    end)

    it("kills the whole group, grandchildren too", function()
      local child, grandchild = hold_path(), hold_path()
      local h = assert(proc.spawn({ LUA, HOLDER, child, grandchild }, { group = true, env = OUTSIDE }))
      until_held(child, grandchild)
      assert.is_true(h:kill("term"))
      assert.same({ nil, "signal", 15 }, { h:wait() })
      h:close()
      assert.is_true(released(child, grandchild))
    end)

    it("ends a child at its timeout with SIGTERM", function()
      local h = assert(proc.spawn(sleeper(), { timeout = 0.1 }))
      assert.same({ nil, "signal", 15 }, { h:wait() })
      assert.is_true(h:timed_out())
      h:close()
    end)

    it("escalates a timeout from SIGTERM to SIGKILL", function()
      if H.needs("signals") then return end
      local h = assert(proc.spawn({ "sh", "-c", "trap '' TERM; exec sleep 30" },
        { timeout = 0.3 }))
      assert.is_false(h:timed_out())
      local t0 = os.time()
      assert.same({ nil, "signal", 9 }, { h:wait() })
      assert.is_true(h:timed_out())
      assert.is_true(os.time() - t0 <= 10)
      h:close()
    end)

    it("stops draining output drain_timeout after the exit", function()
      local gc, until_path, release = hold_path(), gate()
      local h, got = spawn_collect({ LUA, LEAVE, gc },
        { stdout = true, drain_timeout = 0.3, env = { IPC_HOLDER_UNTIL = until_path } })
      local t0 = os.time()
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.is_true(os.time() - t0 <= 5)
      h:close()
      assert.equal("early\n", lf(text(got.stdout)))
      until_held(gc)  -- the grandchild still runs, holding the pipe
      release()
      assert.is_true(released(gc))
    end)
  end)

  describe("starting children", function()
    -- Exits, kills, timeouts, polling, many children at once and a dropped
    -- handle, in a child Lua that prints how many pidfds it holds while a
    -- child runs: that number shows which exit watcher ran.
    local EXIT_WATCHING = [[
      local function pidfds()
        local list = os.tmpname()
        os.execute(("ls -l /proc/%d/fd >%s"):format(H.pid(), list))
        local _, n = H.readfile(list):gsub("anon_inode:%[pidfd%]", "")
        os.remove(list)
        return n
      end
      for _, code in ipairs { 0, 3, 255 } do
        local h = assert(proc.spawn("exit " .. code))
        same({ os.execute("exit " .. code) }, { h:wait() })
        h:close()
      end
      local h = assert(proc.spawn({ "sleep", "30" }))
      print("pidfds while a child runs: " .. pidfds())
      assert(h:kill("term"))
      same({ nil, "signal", 15 }, { h:wait() })
      h:close()
      h = assert(proc.spawn({ "sleep", "30" }, { timeout = 0.1 }))
      same({ nil, "signal", 15 }, { h:wait() })
      assert(h:timed_out())
      h:close()
      h = assert(proc.spawn({ "sleep", "0.2" }))
      same({ false }, { h:wait(0) })
      for _ = 1, 500 do
        if h:wait(0) ~= false then break end
        H.sleep(0.02)
      end
      same({ true, "exit", 0 }, { h:wait(0) })
      h:close()
      local hs, outs = {}, {}
      for i = 1, 20 do
        outs[i] = {}
        hs[i] = assert(proc.spawn({ "echo", i }, { stdout = true,
          callback = function(_, data) table.insert(outs[i], data) end }))
      end
      for i = 20, 1, -1 do
        same({ true, "exit", 0 }, { hs[i]:wait() })
        same(i .. "\n", table.concat(outs[i]))
        hs[i]:close()
      end
      local hold = { assert(proc.spawn({ "sleep", "30" }, { stdout = true, callback = print })) }
      local pid = hold[1]:pid()
      hold[1] = nil
      collectgarbage()
      collectgarbage()
      same(false, os.execute("kill -0 " .. pid .. " 2>/dev/null") == true)
      same(0, H.zombies())
      same(0, pidfds())
      print("ok")
    ]]

    it("watches exits through SIGCHLD with IPC_PROC_NO_PIDFD=1, no pidfd open", function()
      if H.needs("proc_fs") then return end
      assert.equal("pidfds while a child runs: 0\nok\n",
        lua_child(EXIT_WATCHING, nil, { IPC_PROC_NO_PIDFD = "1" }))
    end)

    it("watches exits through one pidfd per running child by default", function()
      if H.needs("pidfd") then return end
      assert.equal("pidfds while a child runs: 1\nok\n",
        lua_child(EXIT_WATCHING, nil, { IPC_PROC_NO_PIDFD = false }))
    end)

    it("connects swapped standard streams each where it was asked", function()
      local out, err = lua_child [[
        local h = assert(proc.spawn(H.lua_argv(
          "io.write('to-out\\n'); io.stderr:write('to-err\\n')"),
          { stdout = io.stderr, stderr = io.stdout }))
        same({ true, "exit", 0 }, { h:wait() })
      ]]
      assert.equal("to-err\n", out)
      assert.equal("to-out\n", err)
    end)

    it("gives /dev/null for streams the program has closed, pipes above 2", function()
      if H.needs("posix_shell") then return end
      -- The program starts with stdin and stdout closed; /dev/null holds
      -- descriptors 0 and 1 while the first spawn creates the loop, so that
      -- the stderr pipe of the next spawn gets them from pipe2.
      local _, err = lua_child([[
        local a, b = io.open("/dev/null"), io.open("/dev/null")
        proc.run({ "true" })
        a:close()
        b:close()
        local r = assert(proc.run({ "sh", "-c",
          'echo "$(readlink /proc/$$/fd/0) $(readlink /proc/$$/fd/1)" >&2; echo to-err >&2' },
          { stdout = false }))
        io.stderr:write(r.stderr)
      ]], 'exec "$0" -e "$1" 0<&- 1>&-')
      assert.equal("/dev/null /dev/null\nto-err\n", err)
    end)

    it("searches PATH past entries it cannot run, fails with 13 or 2", function()
      if H.needs("posix_exec") then return end
      local a, c, b = new_dir(), new_dir(), new_dir { ["ipc-prog"] = "echo from-b" }
      finally(function() os.execute(("rm -r %s %s %s"):format(a, b, c)) end)
      H.writefile(a .. "/ipc-prog", "#!/bin/sh\necho from-a\n")  -- not executable
      assert(os.execute("mkdir " .. c .. "/ipc-prog"))
      local function run(path) return proc.run({ "ipc-prog" }, { env = { PATH = path } }) end
      local r = assert(run(a .. ":" .. c .. ":" .. b))
      assert.same({ true, "from-b\n" }, { r.ok, r.stdout })
      assert.equal(13, select(3, run(a)))  -- EACCES
      assert.equal(13, select(3, run(c)))
      assert.equal(2, select(3, run(a .. "/none:" .. b .. "/none")))  -- ENOENT
    end)

    it("searches /bin:/usr/bin when the child has no PATH", function()
      if H.needs("posix_exec") then return end
      for _, opts in ipairs { { env = { PATH = false } }, { clear_env = true } } do
        local r = assert(proc.run({ "env" }, opts))
        assert.is_true(r.ok)
        assert.not_matches("\nPATH=", "\n" .. r.stdout)
      end
    end)

    it("resets signal dispositions the program inherited", function()
      if H.needs("signals") then return end
      local out = lua_child([[
        os.execute("kill -TERM " .. H.pid())
        print("TERM ignored here")
        local h = assert(proc.spawn({ "sleep", "30" }))
        assert(h:kill("term"))
        print(h:wait(5))
        h:close()
      ]], [[trap '' TERM; exec "$0" -e "$1"]])
      assert.equal("TERM ignored here\nnil\tsignal\t15\n", out)
    end)

    it("resolves a relative program path in cwd", function()
      if H.needs("posix_exec") then return end
      local dir = new_dir { x = "echo here" }
      finally(function() os.execute("rm -r " .. dir) end)
      local r = assert(proc.run({ "./x" }, { cwd = dir }))
      assert.same({ true, "here\n" }, { r.ok, r.stdout })
    end)

    it("searches relative PATH entries under cwd", function()
      if H.needs("posix_exec") then return end
      local dir = new_dir { tool = "echo tool" }
      finally(function() os.execute("rm -r " .. dir) end)
      for _, path in ipairs { ".", ":/usr/bin", "/none:.:/bin" } do
        local r = assert(proc.run({ "tool" }, { cwd = dir, env = { PATH = path } }))
        assert.same({ true, "tool\n" }, { r.ok, r.stdout })
      end
    end)

    it("runs a script without #! through /bin/sh, as execvp does", function()
      if H.needs("posix_exec") then return end
      local dir = new_dir()
      finally(function() os.execute("rm -r " .. dir) end)
      H.writefile(dir .. "/bare", 'echo "bare:$0:$*"\n')
      assert(os.execute("chmod +x " .. dir .. "/bare"))
      local r = assert(proc.run({ dir .. "/bare", "a b", "c" }))
      assert.same({ true, "bare:" .. dir .. "/bare:a b c\n" }, { r.ok, r.stdout })
      r = assert(proc.run({ "bare", "x" }, { env = { PATH = dir } }))
      assert.same({ true, "bare:" .. dir .. "/bare:x\n" }, { r.ok, r.stdout })
    end)
  end)

  describe("proc.run", function()
    it("feeds input and captures both streams", function()
      local r = proc.run(lua("io.write(io.read('a')); io.stderr:write('e\\n'); os.exit(3)"),
        { input = "abc" })
      r.stderr = lf(r.stderr)
      assert.same({ ok = nil, what = "exit", code = 3, stdout = "abc",
        stderr = "e\n", truncated = false, timed_out = false }, r)
      r = proc.run("echo hi")
      assert.is_true(r.ok)
      assert.equal("hi\n", lf(r.stdout))
    end)

    it("keeps at most max_output bytes per stream", function()
      local r = proc.run(lua("io.write(string.rep('\\0', 300000))"), { max_output = 1000 })
      assert.is_true(r.ok)
      assert.equal(string.rep("\0", 1000), r.stdout)
      assert.is_true(r.truncated)
      r = proc.run(lua("io.write('123456')"), { max_output = 6 })
      assert.equal("123456", r.stdout)
      assert.is_false(r.truncated)
    end)

    it("reports a timeout and a start failure", function()
      local r = proc.run(sleeper(), { timeout = 0.1 })
      assert.is_true(r.timed_out)
      assert.same({ nil, "signal", 15 }, { r.ok, r.what, r.code })
      local ok, msg, code = proc.run({ "/nonexistent/program" })
      assert.is_nil(ok)
      assert.is_string(msg)
      assert.equal(H.E.ENOENT, code)
    end)
  end)

  describe("streams", function()
    it("moves large data both ways at once", function()
      local mb = (H.SANITIZED or H.WINDOWS) and 8 or 100
      local block = {}
      for i = 1, 65536 do block[i] = string.char((i * 7 + i // 256) % 256) end
      block = table.concat(block)
      -- The child's text mode would turn CR LF into LF and end at ^Z.
      if H.WINDOWS then block = block:gsub("[\r\n\26]", "x") end
      local h, got = spawn_collect({ LUA, CAT }, { stdin = true, stdout = true })
      local blocks = mb * 16
      for _ = 1, blocks do h:write(block) end
      h:write(proc.EOF)
      local total, bad = 0, nil
      local pending = ""
      local sink = function(stream, data)
        assert.equal("stdout", stream)
        data = pending .. data
        local whole = #data - #data % 65536
        for off = 1, whole, 65536 do
          if data:sub(off, off + 65535) ~= block then bad = total + off end
        end
        pending = data:sub(whole + 1)
        total = total + #data - #pending
      end
      -- Replace the collector: 100 MB must not be kept.
      h:close()
      h = assert(proc.spawn({ LUA, CAT }, { stdin = true, stdout = true, callback = sink }))
      for _ = 1, blocks do h:write(block) end
      h:write(proc.EOF)
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal("", pending)
      assert.equal(blocks * 65536, total)
      assert.is_nil(bad)
      assert.same({}, got.stdout)
      h:close()
    end)

    it("survives a child that exits with input still queued", function()
      local h, got = spawn_collect(lua("io.write(io.read(1))"), { stdin = true, stdout = true })
      local chunk = string.rep("y", 1 << 20)
      for _ = 1, 8 do h:write(chunk) end
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal("y", text(got.stdout))
      assert.equal(1, #got.errors)
      assert.equal("stdin", got.errors[1][1])
      assert.is_string(got.errors[1][2])
      local ok, msg, code = h:write("more")
      assert.is_nil(ok)
      assert.is_string(msg)
      h:close()
      assert.is_true(got.errors[1][3] == H.E.EPIPE or got.errors[1][3] == H.E.ECONNRESET)
      assert.equal(H.E.EPIPE, code)
    end)

    it("sends queued input as the child takes it while the program keeps writing", function()
      -- No wait: while input is queued, every 16th h:write (or a pipe's
      -- worth of bytes) runs the loop, so a program that writes without
      -- waiting keeps only what the child has not taken.
      local h = assert(proc.spawn({ H.LUA, "test/helpers/proc_cat.lua" },
        { stdin = true, stdout = "null" }))
      assert.is_true(h:write(string.rep("x", 8 << 20))) -- more than a pipe holds
      local before = h:queued()
      assert.is_true(before > 0)
      for _ = 1, 1000000 do
        assert.is_true(h:write(""))
        if h:queued() < before then break end
      end
      assert.is_true(h:queued() < before)
      h:write(proc.EOF)
      assert.same({ true, "exit", 0 }, { h:wait() })
      h:close()
    end)

    -- Runs `body` in a child Lua with `h` spawned as `sh -c script` with a
    -- stdin pipe; SIGPIPE is at its default there, so the child prints
    -- "alive" only if no write of `body` killed it.
    local function survives_writes(script, body)
      return H.in_child(([[
        local proc = require "ipc.proc"
        local h = assert(proc.spawn({ "sh", "-c", %q },
          { stdin = true, stdout = true }))
        %s
        h:kill("kill")
        h:wait()
        h:close()
        print("alive")
      ]]):format(script, body))
    end

    it("survives a write straight into a pipe whose reader is gone", function()
      if H.needs("posix_shell") then return end  -- and SIGPIPE is POSIX's
      -- The child closes its stdin first, so every write below reaches a
      -- pipe without reader at once (nothing queued before it).
      assert.equal("alive\n", survives_writes("exec 0<&-; echo closed; exec sleep 30", [[
        assert(h:read("l") == "closed")
        for _ = 1, 3 do
          local ok, _, code = h:write("x", string.rep("y", 100000), "z")
          assert(ok == true or code == 32, tostring(code))
        end
        local ok, _, code = h:write("last", proc.EOF)
        assert(ok == true or code == 32, tostring(code))
      ]]))
    end)

    it("survives a queued write meeting a pipe whose reader went away", function()
      if H.needs("posix_shell") then return end
      -- The write fills the pipe and leaves the rest queued; the child then
      -- closes its stdin, so the loop's run that sends the rest meets a
      -- pipe without reader.
      assert.equal("alive\n", survives_writes("sleep 0.3; exec 0<&-; exec sleep 30", [[
        assert(h:write(string.rep("x", 8 << 20)))
        assert(h:queued() > 0)
        local ok, _, code = h:drain(10)
        assert(ok == nil and code == 32, tostring(ok) .. " " .. tostring(code))
      ]]))
    end)

    it("sends many strings given to one write, in order", function()
      local h, got = spawn_collect({ LUA, CAT }, { stdin = true, stdout = true })
      local parts = {}
      for i = 1, 200 do parts[i] = i .. (i % 3 == 0 and "" or ",") end
      parts[100] = ""
      assert.is_true(h:write(table.unpack(parts)))
      assert.is_true(h:write(42, proc.EOF))
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal(table.concat(parts) .. "42", text(got.stdout))
      h:close()
    end)

    it("keeps the output written before the exit with drain_timeout 0", function()
      for _ = 1, 20 do
        local r = proc.run(lua("io.write('out\\n'); io.stderr:write('err\\n')"),
          { drain_timeout = 0 })
        assert.same({ "out\n", "err\n" }, { lf(r.stdout), lf(r.stderr) })
      end
    end)

    it("refuses writes without a stdin pipe or after EOF", function()
      local h = assert(proc.spawn(lua("io.read('a')"), { stdin = true }))
      assert.error_matches(function() h:write({}) end, "string expected")
      h:write("x", proc.EOF)
      assert.error_matches(function() h:write("y") end, "EOF")
      assert.same({ true, "exit", 0 }, { h:wait() })
      h:close()
      h = assert(proc.spawn(TRUE))
      assert.error_matches(function() h:write("y") end, "not a pipe")
      h:wait()
      h:close()
    end)

    it("stops reading while undelivered output is over the cap", function()
      -- h:write runs the loop without delivering: output piles up until
      -- reading pauses, and the child then blocks on its full pipe before
      -- it has written 4 MiB. Everything arrives once wait delivers.
      local marker = H.tmpname()
      os.remove(marker)
      local got = 0
      local h = assert(proc.spawn(lua("io.write(string.rep('\\0', 4194304)); io.stdout:flush(); "
        .. ("io.open(%q, 'w'):close()"):format(marker)),
        { stdin = true, stdout = true,
          callback = function(_, data) got = got + #data end }))
      for _ = 1, 100 do
        assert(h:write("x"))
        H.sleep(0.01)
      end
      local f = io.open(marker)
      if f then f:close() end
      assert.is_nil(f, "the child wrote all its output unread")
      assert.equal(0, got)
      assert(h:write(proc.EOF))
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal(4194304, got)
      h:close()
      os.remove(marker)
    end)

    it("shares the output backlog among children writing at once", function()
      -- One run of the loop reads every ready pipe before anything is
      -- delivered: 100 children each allowed the whole backlog left
      -- 100 x 256 KiB read at once (26 MB of peak RSS here); shared, it is
      -- one 64 KiB read each (7 MB).
      if H.needs("proc_fs") then return end
      if H.SANITIZED then
        -- AddressSanitizer's quarantine keeps the freed strings: its peak
        -- says nothing about the backlog.
        return pending("the peak RSS of a sanitized build")
      end
      local out = H.in_child [[
        local proc = require "ipc.proc"
        local hwm = require("spec_helper").peak_rss_kib
        local before = hwm()
        local got, hs = 0, {}
        for i = 1, 100 do
          hs[i] = assert(proc.spawn({ "head", "-c", "1048576", "/dev/zero" },
            { stdout = true, callback = function(_, d) got = got + #(d or "") end }))
        end
        while #hs > 0 do
          local h = assert(proc.wait_any(hs))
          for i = #hs, 1, -1 do if hs[i] == h then table.remove(hs, i) end end
          h:close()
        end
        print(got, hwm() - before < 16 * 1024)
      ]]
      assert.equal("104857600\ttrue\n", out)
    end)

    it("enlarges pipes to an eighth of the L2 cache: a child writes 200 KB unread", function()
      if H.needs("pipe_resize") then return end
      -- Outside wait nothing reads the pipe, so the child can only finish
      -- its write if the pipe holds it all (a default pipe holds 64 KiB).
      -- The pipes follow the L2 size the system reports (sysfs, else
      -- getconf): an eighth of it, between 64 and 256 KiB.
      local function cache(i, name)
        local f = io.open(("/sys/devices/system/cpu/cpu0/cache/index%d/%s"):format(i, name))
        if not f then return nil end
        local s = f:read("l")
        f:close()
        return s
      end
      local l2
      for i = 0, 15 do
        local level = cache(i, "level")
        if not level then break end
        if tonumber(level) == 2 and cache(i, "type") ~= "Instruction" then
          l2 = tonumber(cache(i, "size"):match("^(%d+)K")) * 1024
          break
        end
      end
      if not l2 then
        local conf = io.popen("getconf LEVEL2_CACHE_SIZE 2>/dev/null")
        l2 = tonumber(conf:read("a"):match("%d+"))
        conf:close()
      end
      if not l2 or l2 / 8 < 200000 then
        return pending("pipes hold less than 200 KB with this L2 cache")
      end
      local marker = H.tmpname()
      os.remove(marker)
      local got = 0
      local h = assert(proc.spawn({ "sh", "-c", "head -c 200000 /dev/zero; : >" .. marker },
        { stdout = true, callback = function(_, data) got = got + #data end }))
      local function written()
        local f = io.open(marker)
        if f then f:close() end
        return f ~= nil
      end
      local deadline = os.time() + 10
      while not written() and os.time() < deadline do H.sleep(0.02) end
      assert.is_true(written(), "the child blocked on a full pipe")
      assert.equal(0, got)
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal(200000, got)
      h:close()
      os.remove(marker)
    end)
  end)

  describe("lifecycle", function()
    it("spawns 300 processes without leaking", function()
      local n = H.SANITIZED and 100 or 300
      for i = 1, n do
        local h, got, msg = spawn_collect({ LUA, ARGS, i }, { stdout = true })
        assert(h, msg)
        assert.is_true(h:wait())
        assert.equal(i .. "\0", text(got.stdout))
        h:close()
      end
    end)

    it("kills and reaps a live child when the handle is collected", function()
      local path = hold_path()
      local hold = { assert(proc.spawn({ LUA, HOLDER, path }, { stdin = true })) }
      local pid = hold[1]:pid()
      hold[1]:write("queued\n")
      until_held(path)
      hold[1] = nil
      collectgarbage()
      collectgarbage()
      assert.is_true(ended(pid, path))
    end)

    it("kills and reaps a live child on close", function()
      local path = hold_path()
      local h = assert(proc.spawn({ LUA, HOLDER, path }, { stdout = true, callback = print }))
      local pid = h:pid()
      until_held(path)
      assert.is_true(h:close())
      assert.is_true(ended(pid, path))
      assert.equal("ipc.proc (closed)", tostring(h))
      for _, m in ipairs { "wait", "kill", "pid", "write", "close", "timed_out" } do
        assert.error_matches(function() h[m](h) end, "closed handle")
      end
    end)

    it("kills children still running when the Lua state closes", function()
      local pa, pb = hold_path(), hold_path()
      local out = H.in_child([[
        local H = require "spec_helper"
        local proc = require "ipc.proc"
        local holder, pa, pb = "test/helpers/proc_holder.lua", ...
        local a = proc.spawn({ H.LUA, holder, pa }, { stdout = true, callback = print })
        local b = proc.spawn({ H.LUA, holder, pb }, { stdin = true })
        b:write("pending")
        assert(H.eventually(function() return H.held(pa) and H.held(pb) end))
        print(a:pid(), b:pid())
      ]], pa, pb)
      local pids = {}
      for pid in out:gmatch("%d+") do pids[#pids + 1] = pid end
      assert.equal(2, #pids)
      assert.is_true(ended(pids[1], pa))
      assert.is_true(ended(pids[2], pb))
    end)

    it("closes with <close>", function()
      local pid
      local path = hold_path()
      do
        local h <close> = assert(proc.spawn({ LUA, HOLDER, path }))
        pid = h:pid()
        assert.matches("^ipc.proc %(0x%x+%)$", tostring(h))
        until_held(path)
      end
      assert.is_true(ended(pid, path))
    end)
  end)

  describe("callbacks", function()
    it("propagate errors out of wait; wait again continues", function()
      local seen = {}
      local h = assert(proc.spawn(lua("io.write('a\\n'); io.stdout:flush(); sleep(0.1); "
        .. "io.write('b\\n')"), {
        stdout = true,
        callback = function(_, data)
          seen[#seen + 1] = data
          if #seen == 1 then error("from the callback") end
        end,
      }))
      local ok, err = pcall(h.wait, h)
      assert.is_false(ok)
      assert.matches("from the callback", err)
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal("a\nb\n", lf(table.concat(seen)))
      h:close()
    end)

    it("may yield: two processes under a round-robin scheduler", function()
      local order, outputs = {}, { a = {}, b = {} }
      local function task(name)
        return coroutine.create(function()
          local h = assert(proc.spawn(lua("for i = 1, 10 do io.write('" .. name
            .. "', i, '\\n'); io.stdout:flush(); sleep(0.01) end"),
            { stdout = true, callback = function(_, data)
                table.insert(outputs[name], data)
                coroutine.yield(name)
              end }))
          local r = { h:wait() }
          h:close()
          return table.unpack(r)
        end)
      end
      local tasks = { task("a"), task("b") }
      local results = {}
      while #tasks > 0 do
        for i = #tasks, 1, -1 do
          local co = tasks[i]
          local ok, v, what, code = coroutine.resume(co)
          assert(ok, v)
          if coroutine.status(co) == "dead" then
            results[#results + 1] = { v, what, code }
            table.remove(tasks, i)
          else
            order[#order + 1] = v
          end
        end
      end
      assert.same({ { true, "exit", 0 }, { true, "exit", 0 } }, results)
      local ea, eb = {}, {}
      for i = 1, 10 do ea[i] = "a" .. i .. "\n"; eb[i] = "b" .. i .. "\n" end
      assert.equal(table.concat(ea), lf(table.concat(outputs.a)))
      assert.equal(table.concat(eb), lf(table.concat(outputs.b)))
      assert.is_true(#order >= 2)
    end)

    it("may close the handle from inside the callback", function()
      local h
      local path = hold_path()
      h = assert(proc.spawn({ LUA, HOLDER, path }, {
        stdout = true, env = { IPC_HOLDER_SAY = "first\n" },
        callback = function() h:close() end,
      }))
      local pid = h:pid()
      assert.same({ nil, "signal", 9 }, { h:wait() })
      assert.is_true(ended(pid, path))
    end)

    it("lets a callback wait for its own handle", function()
      local h, nested
      h = assert(proc.spawn(lua("io.write('x')"), {
        stdout = true,
        callback = function() nested = table.pack(pcall(h.wait, h)) end,
      }))
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.same({ true, true, "exit", 0, n = 4 }, nested)
      h:close()
    end)
  end)

  describe("misuse", function()
    it("raises on bad arguments", function()
      assert.error_matches(function() proc.spawn(42) end, "bad argument #1")
      assert.error_matches(function() proc.spawn({}) end, "empty command")
      assert.error_matches(function() proc.spawn({ {} }) end, "must be strings")
      assert.error_matches(function() proc.spawn("x", 1) end, "bad argument #2")
      assert.error_matches(function() proc.spawn("x", { stdin = 1 }) end, "options.stdin")
      assert.error_matches(function() proc.spawn("x", { timeout = -1 }) end, "timeout")
      assert.error_matches(function() proc.spawn("x", { env = { [1] = "x" } }) end, "env")
      assert.error_matches(function() proc.spawn("x", { env = { A = true } }) end, "env")
      assert.error_matches(function() proc.run("x", { callback = print }) end, "callback")
      local h = assert(proc.spawn(TRUE))
      assert.error_matches(function() h:kill("bogus") end, "unknown signal 'bogus'; accepted: term, kill")
      assert.error_matches(function() h:kill(1000) end, "invalid signal")
      assert.error_matches(function() h.wait(io.stdout) end, "ipc.proc expected")
      h:wait()
      h:close()
    end)

    it("takes signal names in any case, with or without SIG", function()
      if H.needs("signals") then return end
      local s = assert(proc.spawn(sleeper(5)))
      assert.is_true(s:kill("SIGCONT"))
      assert.is_true(s:kill("Cont"))
      s:close()
    end)

    it("does not touch the global table", function()
      local out = H.in_child [[
        local before = {}
        for k in pairs(_G) do before[k] = true end
        local proc = require "ipc.proc"
        proc.run("exit 0")
        for k in pairs(_G) do if not before[k] then print(k) end end
      ]]
      assert.equal("", out)
    end)

    it("leaves the program's own writes to a closed pipe as they were", function()
      if H.needs("signals") then return end
      -- `lua prog.lua | head -1` ends as without luaipc: SIGPIPE keeps its
      -- default, so the writer dies of it (status 141 in the shell).
      local r = assert(proc.run({ "sh", "-c", [[
        (lua5.4 -e 'require "ipc.proc"; for i = 1, 1e8 do print(i) end'
         echo "lua: $?" >&2) | head -1]] }, { timeout = 60 }))
      assert.equal("1\n", r.stdout)
      assert.equal("lua: 141\n", r.stderr)
      assert.is_false(r.timed_out)
    end)
  end)
end)

-- The promises of docs/contract.md, "ipc.proc", one test each, written from
-- the contract alone; where the contract is ambiguous the reading tested
-- is said in the test.
describe("ipc.proc: each documented promise", function()
  after_each(H.cleanup)
  local now = H.now

  H.check_process_leaks(proc)

  local function collect(cmd, opts)
    local got = { stdout = {}, stderr = {}, errors = {}, calls = {} }
    opts = opts or {}
    opts.callback = function(...)
      local stream, data, msg, code = ...
      got.calls[#got.calls + 1] = table.pack(...)
      if data ~= nil then
        table.insert(got[stream], data)
      else
        table.insert(got.errors, { stream, msg, code })
      end
    end
    local h = assert(proc.spawn(cmd, opts))
    return h, got
  end

  it("a string command runs with /bin/sh -c", function()
    if H.needs("posix_shell") then return end
    local h, got = collect("echo $0; echo a | tr a b; exit 3", { stdout = true })
    assert.same({ nil, "exit", 3 }, { h:wait() })
    local out = table.concat(got.stdout)
    assert.matches("^[%w/]*sh\nb\n$", out)
    h:close()
  end)

  it("spawn fails with nil, message, code: missing program, bad cwd, too long", function()
    H.assert_fail(H.E.ENOENT, proc.spawn({ "ipc-no-such-program-anywhere" }))
    H.assert_fail(H.E.ENOENT, proc.spawn("exit 0", { cwd = "/nonexistent/dir" }))
    H.assert_fail(H.E.ENOENT, proc.spawn(TRUE, { cwd = "/nonexistent/dir" }))
    if H.needs("argv_limit") then return end
    local big = string.rep("x", 1 << 20)
    H.assert_fail(H.E.E2BIG, proc.spawn({ LUA, ARGS, big, big, big }))
    H.assert_fail(H.E.E2BIG, proc.spawn("exit 0 " .. big .. " " .. big .. " " .. big))
  end)

  it("spawn fails with nil, message, EACCES for a file that is not executable", function()
    if H.needs("posix_exec") then return end
    H.assert_fail(H.E.EACCES, proc.spawn({ "/etc/passwd" }))
  end)

  it("callback gets ('stdout'|'stderr', non-empty string)", function()
    local h, got = collect(lua("for i = 1, 5 do io.write('o', i, '\\n'); io.stdout:flush(); "
      .. "io.stderr:write('e', i, '\\n') end; io.write('')"),
      { stdout = true, stderr = true })
    assert.same({ true, "exit", 0 }, { h:wait() })
    for _, c in ipairs(got.calls) do
      assert.is_true(c[1] == "stdout" or c[1] == "stderr")
      assert.equal("string", type(c[2]))
      assert.is_true(#c[2] > 0)
      assert.equal(2, c.n)
    end
    assert.equal("o1\no2\no3\no4\no5\n", lf(table.concat(got.stdout)))
    assert.equal("e1\ne2\ne3\ne4\ne5\n", lf(table.concat(got.stderr)))
    h:close()
  end)

  it("stdin/stdout/stderr false or absent use the parent's streams", function()
    -- The parent is a child Lua started with pipes for all three streams,
    -- which its own child then shares.
    local r = run_ok(lua([[
      local proc = require "ipc.proc"
      local h = assert(proc.spawn({ require("spec_helper").LUA, "-e",
        "local x = io.read('l'); io.write('out:', x, '\\n'); io.stderr:write('err:', x, '\\n')" },
        { stdin = false, stdout = false }))
      print(h:wait())
    ]]), { input = "in\n" })
    assert.equal("out:in\ntrue\texit\t0\n", lf(r.stdout))
    assert.equal("err:in\n", lf(r.stderr))
  end)

  it("stdout and stderr may be Lua files", function()
    local po, pe = H.tmpfile(), H.tmpfile()
    local fo, fe = assert(io.open(po, "wb")), assert(io.open(pe, "wb"))
    local h = assert(proc.spawn(lua("io.write('to-out\\n'); io.stderr:write('to-err\\n')"),
      { stdout = fo, stderr = fe }))
    assert.same({ true, "exit", 0 }, { h:wait() })
    h:close()
    fo:close()
    fe:close()
    assert.equal("to-out\n", lf(H.readfile(po)))
    assert.equal("to-err\n", lf(H.readfile(pe)))
  end)

  it("a pipe for stdout or stderr without a callback is pulled", function()
    for _, name in ipairs({ "stdout", "stderr" }) do
      local h = assert(proc.spawn(TRUE, { [name] = true }))
      assert.equal("ipc.proc.stream", tostring(h[name](h)):match("^(%S+)"))
      assert.same({ true, "exit", 0 }, { h:wait() })
      h:close()
    end
    local h = assert(proc.spawn({ LUA, CAT }, { stdin = true }))
    h:write(proc.EOF)
    assert.same({ true, "exit", 0 }, { h:wait() })
    h:close()
  end)

  it("without luv, callbacks run only inside wait", function()
    local h, got = collect(lua("io.write('hi\\n')"), { stdout = true })
    H.sleep(0.2)
    assert.same({}, got.calls)
    assert.same({ true, "exit", 0 }, { h:wait() })
    assert.equal("hi\n", lf(table.concat(got.stdout)))
    h:close()
  end)

  it("env adds and overrides, false removes; clear_env; cwd", function()
    if H.needs("posix_shell") then return end
    local r = proc.run("echo $IPC_NEW:$HOME:${USER-unset}:$(pwd)",
      { env = { IPC_NEW = "new", HOME = "/home/override", USER = false },
        cwd = "/" })
    assert.equal("new:/home/override:unset:/\n", r.stdout)
    r = proc.run({ "/usr/bin/env" }, { clear_env = true })
    assert.equal("", r.stdout)
    assert.is_true(r.ok)
  end)

  it("group: kill signals the child's whole group", function()
    local child, gc = hold_path(), hold_path()
    local h = collect({ LUA, HOLDER, child, gc }, { stdout = true, group = true, env = OUTSIDE })
    while not (H.held(child) and H.held(gc)) do assert.is_false(h:wait(0.05)) end
    assert.is_true(h:kill("term"))
    assert.same({ nil, "signal", 15 }, { h:wait() })
    h:close()
    assert.is_true(released(child, gc))
  end)

  it("timeout: SIGTERM (to the group with group), timed_out, wait nil, 'signal', n", function()
    local child, gc = hold_path(), hold_path()
    local h = collect({ LUA, HOLDER, child, gc },
      { stdout = true, group = true, timeout = 0.3, env = OUTSIDE })
    assert.is_false(h:timed_out())
    local t0 = now()
    assert.same({ nil, "signal", 15 }, { h:wait() })
    local dt = now() - t0
    assert.is_true(dt >= 0.25 and dt < 10, tostring(dt))
    assert.is_true(h:timed_out())
    assert.is_true(released(child, gc))
    h:close()
  end)

  it("timed_out is false for a child that ended in time", function()
    local h = assert(proc.spawn(TRUE, { timeout = 30 }))
    assert.same({ true, "exit", 0 }, { h:wait() })
    assert.is_false(h:timed_out())
    h:close()
  end)

  it("drain_timeout defaults to 1 s: a grandchild holding the pipe cannot hang wait", function()
    local gc, until_path, release = hold_path(), gate()
    local h = collect({ LUA, LEAVE, gc },
      { stdout = true, env = { IPC_HOLDER_UNTIL = until_path } })
    local t0 = now()
    assert.same({ true, "exit", 0 }, { h:wait() })
    local dt = now() - t0
    assert.is_true(dt >= 0.8 and dt < 8, tostring(dt))
    h:close()
    until_held(gc)
    release()
    assert.is_true(released(gc))
  end)

  it("output a grandchild writes before the pipes reach EOF is delivered", function()
    local gc = hold_path()
    local h, got = collect({ LUA, LEAVE, gc },
      { stdout = true, env = { IPC_HOLDER_SAY = "late\n", IPC_HOLDER_SECONDS = "0.3" } })
    assert.same({ true, "exit", 0 }, { h:wait() })
    assert.equal("early\nlate\n", lf(table.concat(got.stdout)))
    h:close()
    assert.is_true(released(gc))
  end)

  it("EOF reaches a child although another child was spawned meanwhile", function()
    -- The parent's end of the stdin pipe is close-on-exec: the second
    -- child does not hold it open.
    local a, got = collect({ LUA, CAT }, { stdin = true, stdout = true })
    local b = assert(proc.spawn(sleeper()))
    a:write("x\n", proc.EOF)
    assert.same({ true, "exit", 0 }, { a:wait(20) })
    assert.equal("x\n", lf(table.concat(got.stdout)))
    b:close()
    a:close()
  end)

  it("children start with SIGPIPE at its default (reading: like os.execute)", function()
    if H.needs("signals") then return end
    local r = proc.run("{ yes; echo \"status $?\" >&2; } | head -c 1")
    assert.equal("y", r.stdout)
    assert.equal("status 141\n", r.stderr)
  end)

  it("write queues without blocking and returns true; EOF closes stdin", function()
    local h, got = collect(lua("sleep(0.3); io.write(#io.read('a'))"),
      { stdin = true, stdout = true })
    local chunk = string.rep("z", 1 << 20)
    for _ = 1, 4 do assert.is_true(h:write(chunk)) end -- more than a pipe holds
    assert.is_true(h:write("tail", proc.EOF))
    assert.same({ true, "exit", 0 }, { h:wait() })
    assert.equal(4 * (1 << 20) + 4, tonumber(table.concat(got.stdout)))
    h:close()
  end)

  it("write raises without a stdin pipe and after EOF", function()
    local h = assert(proc.spawn({ LUA, CAT }, { stdin = true }))
    h:write(proc.EOF)
    assert.has_error(function() h:write("late") end)
    assert.has_error(function() h:write(proc.EOF) end)
    h:wait()
    h:close()
    h = assert(proc.spawn(TRUE))
    assert.has_error(function() h:write("x") end)
    h:wait()
    assert.has_error(function() h:write("x") end)
    h:close()
    local f = assert(io.open(NULL_DEVICE, "rb"))
    h = assert(proc.spawn(TRUE, { stdin = f }))
    assert.has_error(function() h:write("x") end)
    h:wait()
    h:close()
    f:close()
  end)

  it("kill: names map to their signals, numbers work, true on success", function()
    if H.needs("signals") then return end
    local names = { term = 15, kill = 9, int = 2, hup = 1, quit = 3,
      usr1 = 10, usr2 = 12 }
    for name, num in pairs(names) do
      local h = assert(proc.spawn({ "sleep", "30" }))
      assert.is_true(h:kill(name))
      assert.same({ nil, "signal", num }, { h:wait() }, name)
      h:close()
    end
    local h = assert(proc.spawn({ "sleep", "30" }))
    assert.is_true(h:kill(12))
    assert.same({ nil, "signal", 12 }, { h:wait() })
    h:close()
    h = assert(proc.spawn({ "sleep", "30" }))
    assert.is_true(h:kill("stop"))
    assert.is_false(h:wait(0.1))
    assert.is_true(h:kill("cont"))
    assert.is_true(h:kill("kill"))
    assert.same({ nil, "signal", 9 }, { h:wait() })
    h:close()
  end)

  it("pid is the child's process id", function()
    if H.needs("posix_shell") then return end
    local h, got = collect("echo $$", { stdout = true })
    local pid = h:pid()
    assert.equal("integer", math.type(pid))
    assert.is_true(pid > 0)
    h:wait()
    assert.equal(pid .. "\n", table.concat(got.stdout))
    h:close()
  end)

  it("wait returns what os.execute returns", function()
    if H.needs("posix_shell") then return end
    for _, cmd in ipairs { "exit 0", "exit 1", "exit 200", "kill -TERM $$",
      "kill -KILL $$" } do
      local h = assert(proc.spawn(cmd))
      assert.same({ os.execute(cmd) }, { h:wait() }, cmd)
      h:close()
    end
  end)

  it("wait(t) returns false while running, wait(0) polls; later waits repeat", function()
    local h = assert(proc.spawn(sleeper(0.4)))
    local r = table.pack(h:wait(0))
    assert.same({ n = 1, false }, r)
    local t0 = now()
    r = table.pack(h:wait(0.1))
    assert.same({ n = 1, false }, r)
    assert.is_true(now() - t0 >= 0.08)
    assert.same({ n = 3, true, "exit", 0 }, table.pack(h:wait()))
    assert.same({ n = 3, true, "exit", 0 }, table.pack(h:wait()))
    assert.same({ n = 3, true, "exit", 0 }, table.pack(h:wait(0)))
    assert.same({ n = 3, true, "exit", 0 }, table.pack(h:wait(5)))
    h:close()
  end)

  it("wait delivers every byte of output before it returns", function()
    local h, got = collect(lua("io.write(string.rep('\\0', 1000000)); "
      .. "io.stderr:write(string.rep('\\0', 70000))"),
      { stdout = true, stderr = true })
    assert.same({ true, "exit", 0 }, { h:wait() })
    assert.equal(1000000, #table.concat(got.stdout))
    assert.equal(70000, #table.concat(got.stderr))
    h:close()
  end)

  it("a callback error propagates unchanged out of wait; wait again continues", function()
    local obj = { "an error object" }
    local n = 0
    local h = assert(proc.spawn(lua("for i = 1, 3 do io.write(i, '\\n'); io.stdout:flush(); "
      .. "sleep(0.1) end"), {
      stdout = true,
      callback = function(_, data)
        n = n + 1
        if n == 1 then error(obj) end
        if n == 2 then error("second", 0) end
      end,
    }))
    local ok, err = pcall(h.wait, h)
    assert.is_false(ok)
    assert.equal(obj, err)
    assert.is_true(h:kill(0))  -- still running
    ok, err = pcall(h.wait, h)
    assert.is_false(ok)
    assert.equal("second", err)
    assert.same({ true, "exit", 0 }, { h:wait() })
    assert.equal(3, n)
    h:close()
  end)

  it("callbacks may yield to the resumer; resuming continues the wait", function()
    local got = {}
    local co = coroutine.create(function()
      local h = assert(proc.spawn(lua("io.write('a\\n'); io.stdout:flush(); "
        .. "io.stderr:write('b\\n'); sleep(0.05); io.write('c\\n')"), {
        stdout = true, stderr = true,
        callback = function(stream, data)
          local back = coroutine.yield(stream, data)
          got[#got + 1] = back
        end,
      }))
      local r = table.pack(h:wait())
      h:close()
      return "done", r
    end)
    local streams = { stdout = "", stderr = "" }
    local i = 0
    while true do
      i = i + 1
      local ok, a, b = coroutine.resume(co, i)
      assert.is_true(ok, a)
      if a == "done" then
        assert.same({ n = 3, true, "exit", 0 }, b)
        break
      end
      streams[a] = streams[a] .. b
    end
    assert.same({ stdout = "a\nc\n", stderr = "b\n" },
      { stdout = lf(streams.stdout), stderr = lf(streams.stderr) })
    assert.equal(i - 1, #got)
    for k, v in ipairs(got) do assert.equal(k + 1, v) end
  end)

  it("a child that closes stdin with input queued: ('stdin', nil, msg, code), status kept", function()
    if H.needs("posix_shell") then return end
    local h, got = collect({ "sh", "-c", "exec 0<&-; sleep 0.2; echo alive" },
      { stdin = true, stdout = true })
    local chunk = string.rep("q", 1 << 20)
    for _ = 1, 4 do h:write(chunk) end
    assert.same({ true, "exit", 0 }, { h:wait() })
    assert.equal("alive\n", table.concat(got.stdout))
    assert.equal(1, #got.errors)
    local e = got.errors[1]
    assert.equal("stdin", e[1])
    assert.is_string(e[2])
    assert.equal("integer", math.type(e[3]))
    assert.is_true(e[3] > 0)
    for _, c in ipairs(got.calls) do
      if c[2] == nil then assert.equal(4, c.n) end
    end
    h:close()
  end)

  it("a child that dies with input queued does not kill the parent", function()
    local out = H.in_child [[
      local proc = require "ipc.proc"
      local errs = {}
      local h = assert(proc.spawn({ require("spec_helper").LUA, "-e", "os.exit(4)" }, { stdin = true,
        callback = function(s, d, m, c) errs[#errs + 1] = s .. ":" .. tostring(c) end }))
      local refused
      for _ = 1, 8 do
        local ok, _, code = h:write(string.rep("w", 1 << 20))
        if not ok then refused = refused or code end
      end
      print(h:wait())
      print(#errs, errs[1])
      print("refused", refused)
      h:close()
    ]]
    assert.matches("^nil\texit\t4\n", out)
    if H.WINDOWS and out:match("\n0\tnil\n") then
      -- libuv writes a Windows pipe at once: the broken pipe shows at
      -- h:write, and nothing is left for the callback to report.
      assert.equal(("nil\texit\t4\n0\tnil\nrefused\t%d\n"):format(H.E.EPIPE), out)
      return
    end
    assert.matches("\nrefused\t", out)
    out = out:gsub("refused\t[^\n]*\n$", "")
    assert.equal(("nil\texit\t4\n1\tstdin:%d\n"):format(H.E.EPIPE), out)
  end)

  it("a collected or closed handle kills its child: no zombie, no descriptor", function()
    if H.needs("proc_fs") then return end
    local out = H.in_child [[
      local proc = require "ipc.proc"
      -- Counted without io.popen, whose pipe may linger for a moment.
      local fds = require("spec_helper").fd_count
      local warm = proc.spawn({ "true" }, { stdout = true, callback = print })
      warm:wait() warm:close()
      collectgarbage()
      local before = fds()
      local h = assert(proc.spawn({ "sleep", "30" }, { stdin = true, stdout = true,
        stderr = true, callback = print }))
      local p1 = h:pid()
      h = nil
      collectgarbage() collectgarbage()
      local c = assert(proc.spawn({ "sleep", "30" }, { stdin = true, stdout = true,
        callback = print }))
      local p2 = c:pid()
      c:close()
      collectgarbage()
      print(os.execute("kill -0 " .. p1 .. " 2>/dev/null"),
        os.execute("kill -0 " .. p2 .. " 2>/dev/null"), before == fds())
    ]]
    assert.equal("nil\tnil\ttrue\n", out)
  end)

  it("proc.EOF is a light userdata", function()
    assert.equal("userdata", type(proc.EOF))
    assert.equal(proc.EOF, require("ipc.proc").EOF)
  end)

  describe("proc.run", function()
    it("returns the full result table", function()
      local r = proc.run(TRUE)
      assert.same({ ok = true, what = "exit", code = 0, stdout = "", stderr = "",
        truncated = false, timed_out = false }, r)
    end)

    it("returns the full result table of a child ended by a signal", function()
      if H.needs("signals") then return end
      local r = proc.run("printf out; printf err >&2; kill -USR2 $$")
      assert.same({ ok = nil, what = "signal", code = 12, stdout = "out",
        stderr = "err", truncated = false, timed_out = false }, r)
    end)

    it("feeds input then EOF; takes spawn's options", function()
      local dir = H.WINDOWS and os.getenv("TEMP") or "/"
      local r = proc.run(lua("io.write(io.read('a')); print(os.getenv('X')); "
          .. "print(require('lfs').currentdir())"),
        { input = "in\n", env = { X = "x" }, cwd = dir })
      assert.equal("in\nx\n" .. dir .. "\n", lf(r.stdout))
      assert.is_true(r.ok)
      r = proc.run({ LUA, CAT })
      assert.is_true(r.ok)
      assert.equal("", r.stdout)
    end)

    it("max_output keeps that many bytes per stream and says so", function()
      local r = proc.run(lua("io.write(string.rep('\\0', 5000)); "
        .. "io.stderr:write(string.rep('\\0', 10))"), { max_output = 100 })
      assert.is_true(r.ok)
      assert.equal(100, #r.stdout)
      assert.equal(10, #r.stderr)
      assert.is_true(r.truncated)
    end)

    it("timeout and group", function()
      local t0 = now()
      local child, gc = hold_path(), hold_path()
      local r = proc.run({ LUA, HOLDER, child, gc },
        { timeout = 0.2, group = true, env = OUTSIDE })
      assert.is_true(now() - t0 < 10)
      assert.same({ nil, "signal", 15, true }, { r.ok, r.what, r.code, r.timed_out })
      assert.is_true(released(child, gc))
    end)

    it("returns nil, message, code when the process cannot start", function()
      H.assert_fail(H.E.ENOENT, proc.run({ "ipc-no-such-program-anywhere" }))
      H.assert_fail(H.E.ENOENT, proc.run(TRUE, { cwd = "/nonexistent/dir" }))
    end)

    it("raises when given a callback", function()
      assert.has_error(function() proc.run(TRUE, { callback = print }) end)
    end)
  end)
end)

-- The quotations below are from docs/contract.md, "Conventions shared by
-- every module" and "ipc.proc".
describe("ipc.proc: what a child inherits, and proc.run's options", function()
  after_each(H.cleanup)

  -- "Every file descriptor is opened close-on-exec: a spawned child
  -- inherits only the pipes and files it was given." Lua opens its files
  -- with fopen, without close-on-exec; they must not reach the child.
  it("a child does not inherit a Lua file it was not given", function()
    if H.needs("proc_fs") then return end
    local base = proc.run({ "ls", "/proc/self/fd" }).stdout
    local p = os.tmpname()
    local f = assert(io.open(p, "r"))
    local now = proc.run({ "ls", "/proc/self/fd" }).stdout
    f:close()
    os.remove(p)
    assert.equal(base, now)
  end)

  -- Were the write end of an io.popen(cmd, "w") pipe inherited by a child
  -- spawned meanwhile, closing the popen file would wait (pclose) until
  -- that unrelated child exits.
  it("closing an io.popen pipe does not wait for an unrelated spawned child", function()
    if H.needs("posix_tools") then return end
    local w = assert(io.popen("cat >/dev/null", "w"))
    local h = assert(proc.spawn({ "sleep", "5" }))
    local t0 = os.time()
    w:close()
    local dt = os.time() - t0
    h:close()
    assert.is_true(dt < 3, dt .. " s")
  end)

  -- With open-file-description locks, an inherited descriptor would keep
  -- the lock held after the program closed its file.
  it("closing a locked file releases the lock although a child was spawned", function()
    local p = H.tmpfile("")
    local f = assert(io.open(p, "r+"))
    assert(filelock.lock(f, "w"))
    local h = assert(proc.spawn(sleeper()))
    f:close()
    local r = proc.run({ LUA, "-e", ("print(require('ipc.filelock')"
      .. ".trylock(io.open(%q, 'r+'), 'w'))"):format(p) })
    h:close()
    assert.equal("true\n", lf(r.stdout))
  end)

  -- proc.run takes "the same cmd and options as spawn": with stdin = true
  -- and no input, the child gets an empty stdin (EOF at once).
  it("proc.run with stdin = true and no input does not hang", function()
    assert.equal("true\n", H.in_child [[
      local r = require("ipc.proc").run({ require("spec_helper").LUA,
        "test/helpers/proc_cat.lua" }, { stdin = true, timeout = 10 })
      print(r.ok)
    ]])
  end)

  -- "Misuse ... raises a Lua error whose message names the function and
  -- the argument": bad options given to proc.run name run, not the spawn
  -- it calls, and no position inside run.
  it("proc.run option errors name 'run' and the caller's position", function()
    local ok, err = pcall(proc.run, TRUE, { timeout = -1 })
    assert.is_false(ok)
    assert.matches("bad argument #2 to '[%w.]*run'", err)
    assert.not_matches("ipc.proc.run:%d+:", err)
  end)

  -- The same rule: a closed Lua file given as options.stdout names spawn
  -- and the option.
  it("a closed Lua file as options.stdout names the argument", function()
    local f = assert(io.open(NULL_DEVICE, "w"))
    f:close()
    local ok, err = pcall(proc.spawn, TRUE, { stdout = f })
    assert.is_false(ok)
    assert.matches("bad argument #2 to '[%w.]*spawn'", err)
  end)

  -- ipc.proc never changes SIGPIPE's disposition (it blocks the signal
  -- around its own writes): children of os.execute and io.popen still die
  -- of it quietly.
  it("children of os.execute keep the default SIGPIPE", function()
    if H.needs("signals") then return end
    local p = assert(io.popen("(yes | head -c 1 >/dev/null) 2>&1"))
    local out = p:read("a")
    p:close()
    assert.equal("", out)
  end)
end)

describe("ipc.proc: merged and null streams", function()
  H.check_process_leaks(proc)

  it("sends stderr into stdout's pipe with stderr = \"stdout\"", function()
    local got = {}
    local h = assert(proc.spawn(lua("io.write('out\\n'); io.stdout:flush(); "
        .. "io.stderr:write('err\\n'); io.stderr:flush(); io.write('out2\\n')"),
      { stdout = true, stderr = "stdout",
        callback = function(s, d) got[#got + 1] = s .. ":" .. d end }))
    assert.same({ true, "exit", 0 }, { h:wait() })
    local text = table.concat(got):gsub("stdout:", "")
    assert.equal("out\nerr\nout2\n", lf(text))
    assert.is_nil(table.concat(got):find("stderr"))
    h:close()
  end)

  it("merges into a file and into the inherited stdout too", function()
    local path = H.tmpfile()
    local f = assert(io.open(path, "w"))
    local h = assert(proc.spawn(lua("io.write('a\\n'); io.stdout:flush(); io.stderr:write('b\\n')"),
      { stdout = f, stderr = "stdout" }))
    h:wait() h:close() f:close()
    assert.equal("a\nb\n", lf(H.readfile(path)))
    local out = H.in_child [[
      local proc = require "ipc.proc"
      local h = assert(proc.spawn(require("spec_helper").lua_argv(
        "io.write('c\\n'); io.stdout:flush(); io.stderr:write('d\\n')"), { stderr = "stdout" }))
      h:wait() h:close()
    ]]
    assert.equal("c\nd\n", out)
  end)

  it("connects \"null\" to the null device for any stream", function()
    local r = assert(proc.run(lua("io.write(io.read('a')); io.stderr:write('visible\\n'); "
      .. "io.write('gone\\n')"), { stdin = "null", stdout = "null" }))
    assert.same({ true, "", "visible\n" }, { r.ok, r.stdout, lf(r.stderr) })
    r = assert(proc.run(lua("io.write('out\\n'); io.stderr:write('err\\n')"),
      { stderr = "null" }))
    assert.same({ "out\n", "" }, { lf(r.stdout), r.stderr })
    assert.error_matches(function() proc.spawn("true", { stdin = "stdout" }) end,
      "options.stdin must be")
  end)
end)

describe("ipc.proc: several children and flow control", function()
  H.check_process_leaks(proc)

  it("wait_any returns the first finished handle with its status", function()
    local out, hs = {}, {}
    for i = 1, 4 do
      hs[i] = assert(proc.spawn(lua(("sleep(0.%d); io.write('%d\\n'); os.exit(%d)"):format(5 - i, i, i)),
        { stdout = true, callback = function(_, d) out[#out + 1] = d end }))
    end
    local order, left = {}, { table.unpack(hs) }
    while #left > 0 do
      local h, ok, what, code = proc.wait_any(left)
      assert.same({ nil, "exit" }, { ok, what })
      order[#order + 1] = code
      for i, x in ipairs(left) do if x == h then table.remove(left, i) break end end
    end
    -- Every handle's output was delivered while wait_any waited.
    assert.equal("4\n3\n2\n1\n", lf(table.concat(out)))
    assert.same({ 4, 3, 2, 1 }, order)
    -- Finished handles come back at once, the first in array order.
    assert.equal(hs[1], (proc.wait_any(hs)))
    for _, h in ipairs(hs) do h:close() end
  end)

  it("wait_any times out with false and refuses what is not a list of handles", function()
    local h = assert(proc.spawn(sleeper(5)))
    assert.is_false(proc.wait_any({ h }, 0.05))
    assert.is_false(proc.wait_any({ h }, 0))
    assert.error_matches(function() proc.wait_any({}) end, "no handles")
    assert.error_matches(function() proc.wait_any({ io.stdout }) end, "not an ipc.proc")
    assert.error_matches(function() proc.wait_any({ h }, 0 / 0) end, "NaN")
    h:close()
    assert.error_matches(function() proc.wait_any({ h }) end, "closed")
  end)

  it("wait_any yields inside a coroutine where wait yields", function()
    local h = assert(proc.spawn(lua("io.write('a\\n'); io.stdout:flush(); sleep(0.1); "
        .. "io.write('b\\n')"),
      { stdout = true, callback = function(_, d) coroutine.yield(d) end }))
    local co = coroutine.wrap(function() return select(2, proc.wait_any({ h })) end)
    local got = {}
    for _ = 1, 10 do
      local v = co()
      if v == true then break end
      got[#got + 1] = v
    end
    assert.equal("a\nb\n", lf(table.concat(got)))
    h:close()
  end)

  it("queued counts bytes the pipe has not taken; drain waits for them", function()
    local n = 0
    local h = assert(proc.spawn({ LUA, CAT }, { stdin = true, stdout = true,
      callback = function(_, d) n = n + #d end }))
    assert.equal(0, h:queued())
    h:write(string.rep("x", 4 << 20))
    assert.is_true(h:queued() > 0)
    assert.is_true(h:drain())
    assert.equal(0, h:queued())
    h:write(proc.EOF)
    assert.same({ true, "exit", 0 }, { h:wait() })
    assert.equal(4 << 20, n)
    h:close()
  end)

  it("drain times out with false and reports a broken stdin", function()
    local h = assert(proc.spawn(sleeper(5), { stdin = true }))
    h:write(string.rep("x", 1 << 20))
    assert.is_false(h:drain(0.05))
    h:close()
    h = assert(proc.spawn(TRUE, { stdin = true }))
    H.sleep(0.2)  -- exited without reading, not waited for yet
    local wrote, werr, wcode = h:write(string.rep("y", 1 << 20))
    local ok, msg, code = h:drain()
    h:close()
    if H.WINDOWS then
      -- libuv writes into a Windows pipe at once: the write itself fails,
      -- and nothing is left for drain.
      assert.same({ nil, H.E.EPIPE, true }, { wrote, wcode, ok })
      assert.is_string(werr)
      return
    end
    assert.same({ nil, H.E.EPIPE }, { ok, code })
    assert.is_string(msg)
  end)
end)
