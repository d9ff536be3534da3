-- ipc.proc on Windows (test/windows/README.md): string commands through
-- cmd.exe, argv quoted by the C runtime's rules, the refusal of batch
-- files whose arguments cmd.exe would reparse, "signals", environments
-- whose names fold case, and what libuv's job objects do. Elsewhere every
-- test is pending (capability `windows`).
require "spec_helper"
local proc = require "ipc.proc"

local LUA = H.LUA
local ARGS = "test/helpers/proc_args.lua"
local HOLDER = "test/helpers/proc_holder.lua"
local COMSPEC = os.getenv("ComSpec") or "cmd.exe"
local lf = H.lf

local function run(cmd, opts) return assert(proc.run(cmd, opts)) end

-- The environment a child sees, as cmd.exe's `set` lists it.
local function child_env(opts)
  return lf(run({ COMSPEC, "/d", "/c", "set" }, opts).stdout)
end

-- A batch file in TEMP named `name`, echoing its arguments in brackets.
local function batch(suffix)
  local path = H.track_file(H.tmpname() .. suffix)
  H.writefile(path, "@echo [%*]\r\n")
  return path
end

local function held_until_released(path)
  return H.eventually(function() return not H.held(path) end)
end

describe("ipc.proc on Windows", function()
  H.check_process_leaks(proc)
  after_each(H.cleanup)

  it("says so in the platform table", function()
    if H.needs("windows") then return end
    assert.equal("windows", H.platform.os)
    assert.is_true(H.platform.proc)
    assert.is_false(H.platform.signals)
    assert.is_true(H.platform.die_with_parent)
  end)

  describe("a string command runs through cmd.exe /d /s /c", function()
    it("with cmd.exe's built-ins, exit codes and operators", function()
      if H.needs("windows") then return end
      local r = run("echo hello")
      assert.same({ true, "hello\r\n" }, { r.ok, r.stdout })
      r = run("exit /b 3")
      assert.same({ nil, "exit", 3 }, { r.ok, r.what, r.code })
      r = run("echo a& echo b>&2& exit /b 5")
      assert.same({ "a\r\n", "b\r\n", 5 }, { r.stdout, r.stderr, r.code })
      r = run("echo %IPC_X%", { env = { IPC_X = "expanded" } })
      assert.equal("expanded\r\n", r.stdout)
    end)

    it("as typed, quotes included (/s)", function()
      if H.needs("windows") then return end
      local r = run('"' .. LUA .. '" -e "io.write(1 + 2, [[ a b ]])"')
      assert.same({ true, "3 a b " }, { r.ok, r.stdout })
      r = run('"' .. LUA .. '" ' .. ARGS .. ' "two words" plain')
      assert.equal("two words\0plain\0", r.stdout)
    end)
  end)

  describe("an argv array", function()
    it("reaches lua.exe's arg byte for byte, quoted by the C runtime's rules", function()
      if H.needs("windows") then return end
      local args = { "a b", 'q"uote', 'back\\"slash', '\\\\"', "", "trail\\",
        "trail\\\\", "  lead", "tab\there", "x\\y\\z", '""', "a\\\\b", "&|<>^%PATH%",
        "'single'", "end" }
      local r = run({ LUA, ARGS, table.unpack(args) })
      assert.is_true(r.ok)
      assert.equal(table.concat(args, "\0") .. "\0", r.stdout)
    end)

    -- lua.exe's main() takes its arguments in the ANSI code page: UTF-8
    -- text arrives converted, a character the code page has as its byte
    -- (Wine's default is 1252), one it lacks as "?". What libuv passes is
    -- UTF-16 made from the UTF-8 given.
    it("converts UTF-8 arguments for a program of the ANSI code page", function()
      if H.needs("windows") then return end
      local r = run({ LUA, ARGS, "caf\u{E9}", "\u{65E5}" })
      assert.is_true(r.ok)
      assert.equal("caf\xE9\0?\0", r.stdout)
    end)
  end)

  describe("a batch file in argv form", function()
    it("runs when no argument needs quoting", function()
      if H.needs("windows") then return end
      local bat = batch(".bat")
      local r = run({ bat, "plain", "a-b_c.d", "C:\\dir\\x", "1+2" })
      assert.same({ true, "[plain a-b_c.d C:\\dir\\x 1+2]\r\n" }, { r.ok, r.stdout })
      r = run({ batch(".cmd") })
      assert.equal("[]\r\n", r.stdout)
    end)

    it("is refused with EINVAL when cmd.exe would reparse an argument (BatBadBut)", function()
      if H.needs("windows") then return end
      local bat, cmd = batch(".bat"), batch(".CMD")
      for _, file in ipairs { bat, cmd, bat .. ".", bat .. " ", cmd:sub(1, -4) .. "cMd" } do
        for _, bad in ipairs { "a&b", '"x"', "%PATH%", "^", "", "a b", "x|y", "(x)", "!x!" } do
          local msg = H.assert_fail(H.E.EINVAL, proc.spawn({ file, "ok", bad }))
          assert.matches(file, msg, 1, true)
          assert.matches("quoting", msg, 1, true)
        end
      end
      -- As a string command the line is the caller's own, quotes and all.
      assert.equal('["x y" z]\r\n', run('"' .. bat .. '" "x y" z').stdout)
    end)
  end)

  describe("h:kill", function()
    it("terminates for term and kill, reported as signals 15 and 9", function()
      if H.needs("windows") then return end
      for sig, num in pairs { term = 15, kill = 9, [15] = 15, [9] = 9, TERM = 15, SIGKILL = 9 } do
        local h = assert(proc.spawn(H.lua_argv("require('system').sleep(30)")))
        assert.is_true(h:kill(sig))
        assert.same({ nil, "signal", num }, { h:wait() })
        assert.is_nil((h:kill("term")))  -- ended: no longer signalled
        h:close()
      end
    end)

    it("fails with ENOSYS for every other signal, leaving the child running", function()
      if H.needs("windows") then return end
      local h = assert(proc.spawn(H.lua_argv("require('system').sleep(30)")))
      for _, sig in ipairs { "int", "hup", "quit", "usr1", "usr2", "stop", "cont", 2, 1 } do
        H.assert_fail(H.E.ENOSYS, h:kill(sig))
      end
      assert.is_true(h:kill(0))
      assert.is_false(h:wait(0))
      h:close()
    end)
  end)

  describe("the environment", function()
    it("takes names in any case: one variable per name, the given value", function()
      if H.needs("windows") then return end
      local env = child_env({ env = { path = "C:\\ipc-nowhere;" .. os.getenv("PATH"),
        ipc_lua = false, Ipc_New = "1" } })
      local paths = {}
      for line in env:gmatch("[^\n]+") do
        if line:lower():match("^path=") then paths[#paths + 1] = line end
      end
      assert.equal(1, #paths)
      assert.matches("=C:\\ipc-nowhere;", paths[1], 1, true)
      assert.is_nil(env:upper():find("\nIPC_LUA=", 1, true))
      assert.matches("\nIpc_New=1\n", "\n" .. env, 1, true)
    end)

    -- libuv gives every child the variables Windows programs need
    -- (SYSTEMROOT, TEMP, PATH...), taken from the parent when env lacks
    -- them, even with clear_env or env = { TEMP = false }.
    it("with clear_env holds env and what libuv adds, nothing else", function()
      if H.needs("windows") then return end
      local env = child_env({ clear_env = true, env = { ONLY = "this" } })
      assert.matches("\nONLY=this\n", "\n" .. env, 1, true)
      assert.is_nil(env:upper():find("IPC_LUA=", 1, true))
      assert.is_nil(env:upper():find("LUA_PATH=", 1, true))
      assert.is_truthy(env:upper():find("SYSTEMROOT=", 1, true))
      env = child_env({ env = { TEMP = false } })
      assert.is_truthy(env:upper():find("\nTEMP=", 1, true))
    end)

    it("runs in cwd, a drive path or a folder with spaces", function()
      if H.needs("windows") then return end
      assert.equal("C:\\windows\n", lf(run({ COMSPEC, "/d", "/c", "cd" },
        { cwd = "C:\\windows" }).stdout))
      local dir = "C:\\Program Files"
      assert.equal(dir .. "\n", lf(run("cd", { cwd = dir }).stdout))
      local msg = H.assert_fail(H.E.ENOENT, proc.spawn({ LUA, ARGS }, { cwd = "C:\\ipc-none" }))
      assert.matches("cwd C:\\ipc-none", msg, 1, true)
    end)
  end)

  it("refuses to hand a stream to another child: nil, message, ENOTSUP", function()
    if H.needs("windows") then return end
    local a = assert(proc.spawn(H.lua_argv("print('x')"), { stdout = true }))
    H.assert_fail(H.E.ENOTSUP, proc.spawn({ LUA, ARGS }, { stdin = a:stdout() }))
    assert.equal("x", a:read("l"))  -- the stream is as it was
    assert.same({ true, "exit", 0 }, { a:wait() })
    a:close()
  end)

  -- The grandchildren are started by io.popen (cmd.exe, then lua.exe),
  -- outside libuv and the job object it makes in the child.
  it("without group, a kill ends the child and leaves its grandchildren", function()
    if H.needs("windows") then return end
    local child, gc = H.track_file(H.tmpname()), H.track_file(H.tmpname())
    local h = assert(proc.spawn({ LUA, HOLDER, child, gc },
      { env = { IPC_HOLDER_POPEN = "1", IPC_HOLDER_SECONDS = "2" } }))
    assert.is_true(H.eventually(function() return H.held(child) and H.held(gc) end))
    assert.is_true(h:kill("term"))
    assert.same({ nil, "signal", 15 }, { h:wait() })
    h:close()
    assert.is_true(held_until_released(child))
    assert.is_true(H.held(gc))
    assert.is_true(held_until_released(gc))  -- once its 2 s are over
  end)

  it("group: a timeout ends the grandchildren too (a job object)", function()
    if H.needs("windows") then return end
    local child, gc = H.track_file(H.tmpname()), H.track_file(H.tmpname())
    local r = run({ LUA, HOLDER, child, gc },
      { group = true, timeout = 0.5, env = { IPC_HOLDER_POPEN = "1" } })
    assert.same({ nil, "signal", 15, true }, { r.ok, r.what, r.code, r.timed_out })
    assert.is_true(held_until_released(child))
    assert.is_true(held_until_released(gc))
  end)

  -- libuv puts every child it starts in a job object that ends them when
  -- the parent's process ends, however it ends: die_with_parent is kept,
  -- and a child without it dies too.
  it("a child dies with its lua.exe parent, die_with_parent or not", function()
    if H.needs("windows") then return end
    local with, without = H.track_file(H.tmpname()), H.track_file(H.tmpname())
    local parent = assert(proc.spawn(H.lua_argv(([[
      local H = require "spec_helper"
      local proc = require "ipc.proc"
      local a = assert(proc.spawn({ H.LUA, %q, %q }, { die_with_parent = true }))
      local b = assert(proc.spawn({ H.LUA, %q, %q }))
      assert(H.eventually(function() return H.held(%q) and H.held(%q) end))
      os.exit(0)  -- without closing the state: ipc.proc kills nothing
    ]]):format(HOLDER, with, HOLDER, without, with, without))))
    assert.same({ true, "exit", 0 }, { parent:wait() })
    parent:close()
    assert.is_true(held_until_released(with))
    assert.is_true(held_until_released(without))
  end)
end)
