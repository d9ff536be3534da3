-- Conformance: one test per promise of the contract (SPEC.md), written
-- from the contract alone, section by section. Deeper tests of each module
-- live in the module's own spec; here the value is in exact return shapes
-- and in promises that are easy to miss.
-- Where the contract is ambiguous the reading tested is said in the test.
require "spec_helper"
local ipc = require "ipc"
local shm = require "ipc.shm"
local sem = require "ipc.sem"
local mmap = require "ipc.mmap"
local filelock = require "ipc.filelock"
local proc = require "ipc.proc"
local strfile = require "ipc.strfile"

local MODULES = { "shm", "sem", "mmap", "filelock", "proc", "strfile" }

-- Seconds since boot with 10 ms resolution: enough for generous bounds.
local function now()
  return tonumber(H.readfile("/proc/uptime"):match("^([%d.]+)"))
end

-- Asserts the `nil, message, code` shape of an OS failure; `code`, when
-- given, is the expected errno.
local function assert_fail(code, ...)
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

-- Asserts that f(...) raises an error containing `text` (plain).
local function raises(text, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, ("no error, wanted %q"):format(text))
  assert(tostring(err):find(text, 1, true),
    ("error %q, wanted %q"):format(tostring(err), text))
  return err
end

local function alive(pid)
  return os.execute("kill -0 " .. pid .. " 2>/dev/null") == true
end

-- Runs Lua code in a child lua5.4 and asserts it succeeded; returns stdout.
local function child_ok(code, ...)
  local ok, what, status, out, err = H.run_lua(code, ...)
  assert(ok, ("child failed (%s %s):\n%s%s"):format(what, status, out, err))
  return out
end

local paths = {}
local function tmpfile(content)
  local p = H.tmpname()
  paths[#paths + 1] = p
  if content then H.writefile(p, content) end
  return p
end

local shm_names, sem_names = {}, {}
local function shm_name()
  local n = H.uniq("ipcconf")
  shm_names[#shm_names + 1] = n
  return n
end
local function sem_name()
  local n = H.uniq("ipcconf")
  sem_names[#sem_names + 1] = n
  return n
end

local function cleanup()
  for _, p in ipairs(paths) do os.remove(p) end
  for _, n in ipairs(shm_names) do shm.remove(n) end
  for _, n in ipairs(sem_names) do sem.remove(n) end
  paths, shm_names, sem_names = {}, {}, {}
end

-- One open handle of each type, made fresh for each use; proc handles run
-- a child that sleeps until killed.
local makers = {
  strfile = function() return assert(strfile.open("abc\n")) end,
  mmap = function() return assert(mmap.open(tmpfile("abc\n"), "rw")) end,
  shm = function() return assert(shm.create(shm_name(), 16)) end,
  sem = function() return assert(sem.create(sem_name())) end,
  proc = function() return assert(proc.spawn({ "sleep", "30" })) end,
}
local KINDS = { "strfile", "mmap", "shm", "sem", "proc" }

describe("SPEC conformance:", function()
  after_each(cleanup)

  describe("Layout and loading", function()
    it("the documented LUA_CPATH/LUA_PATH command loads ipc.proc", function()
      -- The literal command; the build folder is the one under test.
      local cmd = ("LUA_CPATH='./%s/?.so;;' LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' "
        .. "lua5.4 -e 'require \"ipc.proc\"'"):format(H.BUILD)
      assert.same({ true, "exit", 0 }, { os.execute(cmd) })
    end)

    it("the module exports luaopen_ipc and one luaopen_ipc_<m> per module", function()
      local p = io.popen("nm -D --defined-only " .. H.BUILD .. "/ipc.so")
      local found = {}
      for line in p:lines() do
        local sym = line:match(" T (luaopen_[%w_]+)$")
        if sym then found[#found + 1] = sym end
      end
      p:close()
      table.sort(found)
      assert.same({ "luaopen_ipc", "luaopen_ipc_filelock", "luaopen_ipc_mmap",
        "luaopen_ipc_proc", "luaopen_ipc_sem", "luaopen_ipc_shm",
        "luaopen_ipc_strfile" }, found)
    end)

    it("all six modules load through the all-in-one loader", function()
      for _, m in ipairs(MODULES) do
        local cmd = ("LUA_CPATH='./%s/?.so' LUA_PATH='' lua5.4 -e "
          .. "'assert(type(require \"ipc.%s\") == \"table\")'"):format(H.BUILD, m)
        assert.same({ true, "exit", 0 }, { os.execute(cmd) }, m)
      end
    end)

    it("require 'ipc' returns a table of all six modules", function()
      assert.equal("table", type(ipc))
      local n = 0
      for k in pairs(ipc) do if k ~= "platform" then n = n + 1 end end
      for _, m in ipairs(MODULES) do
        assert.equal("table", type(ipc[m]), m)
        assert.equal(require("ipc." .. m), ipc[m], m)
      end
      assert.equal(6, n)
    end)

    it("require 'ipc' first, then the modules, gives the same tables", function()
      assert.equal("ok\n", child_ok [[
        local all = require "ipc"
        for _, m in ipairs { "shm", "sem", "mmap", "filelock", "proc", "strfile" } do
          assert(all[m] == require("ipc." .. m), m)
        end
        print("ok")
      ]])
    end)
  end)

  describe("Conventions shared by every module", function()
    it("OS failures return nil, strerror text, positive errno", function()
      local _, enoent = io.open("/nonexistent/x")
      local text = enoent:match(": (.*)$")
      assert.equal(text, (assert_fail(2, shm.attach(shm_name()))):match(": (.*)$"))
      assert.equal("/nonexistent/x: " .. text, (assert_fail(2, mmap.open("/nonexistent/x"))))
      assert.equal(text, (assert_fail(2, proc.spawn({ "/nonexistent/x" }))))
      assert.equal(text, (assert_fail(2, proc.run({ "/nonexistent/x" }))))
      assert.equal(text, (assert_fail(2, shm.remove(shm_name()))):match(": (.*)$"))
      assert.equal(text, (assert_fail(2, sem.open(sem_name()))):match(": (.*)$"))
      assert.equal(text, (assert_fail(2, sem.remove(sem_name()))):match(": (.*)$"))
    end)

    it("success returns true where there is nothing better", function()
      local n = shm_name()
      local h = assert(shm.create(n, 8))
      local a = assert(shm.attach(n))
      assert.is_true(a:close())
      assert.is_true(h:close())
      assert.is_true(assert(mmap.open(tmpfile("x"))):close())
      h = assert(strfile.open("x"))
      assert.is_true(h:close())
      local p = assert(proc.spawn({ "sleep", "30" }, { stdin = true }))
      assert.is_true(p:write("x"))
      assert.is_true(p:kill("kill"))
      p:wait()
      assert.is_true(p:close())
      local sn = sem_name()
      local s = assert(sem.create(sn))
      assert.is_true(s:inc())
      assert.is_true(s:dec())
      assert.is_true(assert(sem.open(sn)):close())
      assert.is_true(s:close())
      local f = assert(io.open(tmpfile("data"), "r+"))
      assert.is_true(filelock.lock(f, "w"))
      assert.is_true(filelock.unlock(f))
      assert.is_true(filelock.trylock(f, "r"))
      assert.is_true(filelock.unlock(f))
      f:close()
    end)

    it("misuse raises an error naming the function and the argument", function()
      local function argerror(n, fname, f, ...)
        local err = raises("bad argument #" .. n, f, ...)
        assert.matches(fname, err)
      end
      argerror(1, "create", shm.create, {}, 8)
      argerror(2, "create", shm.create, "x", "big")
      argerror(2, "create", shm.create, "x", -1) -- negative size
      argerror(1, "attach", shm.attach, {})
      argerror(1, "open", strfile.open, {})
      argerror(2, "open", mmap.open, "x", "rwx") -- unknown option string
      argerror(1, "spawn", proc.spawn, 42)
      argerror(1, "run", proc.run, 42)
      local h = strfile.open("abc")
      argerror(1, "read", function() return h:read("x") end)
      argerror(1, "seek", function() return h:seek("middle") end)
      argerror(1, "truncate", function() return h:truncate(-1) end)
      local p = assert(proc.spawn({ "true" }))
      argerror(1, "kill", function() return p:kill("bogus") end)
      p:wait()
      p:close()
      argerror(1, "open", sem.open, {})
      argerror(1, "create", sem.create, {})
      local s = assert(sem.create(sem_name()))
      argerror(1, "dec", function() return s:dec("soon") end)
      s:close()
      argerror(1, "lock", filelock.lock, "not a file", "w")
      argerror(1, "trylock", filelock.trylock, {}, "w")
      argerror(1, "unlock", filelock.unlock, 42)
      local f = assert(io.open(tmpfile("data"), "r+"))
      argerror(2, "lock", filelock.lock, f, "x")
      f:close()
      argerror(1, "lock", filelock.lock, f, "w") -- a closed Lua file
    end)

    for _, kind in ipairs(KINDS) do
      it(("%s: tostring, __name, io.type, close, closing twice"):format(kind), function()
        local h = makers[kind]()
        local mt = getmetatable(h)
        assert.equal("ipc." .. kind, mt.__name)
        assert.is_nil(io.type(h))
        assert.matches("^ipc%." .. kind .. " %(0x%x+%)$", tostring(h))
        assert.is_true(h:close())
        assert.equal("ipc." .. kind .. " (closed)", tostring(h))
        raises("attempt to use a closed handle", h.close, h)
        assert.is_nil(io.type(h))
      end)

      it(("%s: every method of a closed handle raises"):format(kind), function()
        local h = makers[kind]()
        h:close()
        local n = 0
        for name, f in pairs(getmetatable(h).__index) do
          if type(f) == "function" then
            n = n + 1
            local ok, err = pcall(f, h)
            assert.is_false(ok, name)
            assert.matches("attempt to use a closed handle", err, 1, true)
          end
        end
        assert.is_true(n >= 2)
        for _, name in ipairs(kind == "proc" and { "wait", "kill", "pid", "write" }
          or kind == "sem" and { "inc", "dec", "value" }
          or { "read", "lines", "write", "seek", "flush", "setvbuf", "size",
            "addr", "truncate" }) do
          raises("attempt to use a closed handle", h[name], h)
        end
      end)

      it(("%s: <close> closes, also after an explicit close"):format(kind), function()
        local seen
        do
          local h <close> = makers[kind]()
          seen = h
        end
        assert.equal("ipc." .. kind .. " (closed)", tostring(seen))
        do
          local h <close> = makers[kind]()
          assert.is_true(h:close())
        end
      end)
    end

    it("methods given a handle of another type or no handle raise", function()
      local handles = {}
      for _, kind in ipairs(KINDS) do handles[kind] = makers[kind]() end
      for _, kind in ipairs(KINDS) do
        for name, f in pairs(getmetatable(handles[kind]).__index) do
          for _, other in ipairs(KINDS) do
            if other ~= kind then
              local ok, err = pcall(f, handles[other])
              assert.is_false(ok, kind .. ":" .. name .. " on " .. other)
              assert.matches("ipc." .. kind, err, 1, true)
            end
          end
          assert.is_false(pcall(f), kind .. ":" .. name)
          assert.is_false(pcall(f, io.stdout), kind .. ":" .. name)
          assert.is_false(pcall(f, {}), kind .. ":" .. name)
        end
      end
      for _, h in pairs(handles) do assert.is_true(h:close()) end
    end)

    it("never a crash, never a hang: every call with odd arguments", function()
      local ok, what, code, out, err = H.run_lua(
        H.readfile("test/helpers/conformance_fuzz.lua") .. "\n")
      assert(ok, ("child failed (%s %s):\n%s%s"):format(what, code, out, err))
      assert.equal("calls\ttrue\n", out)
    end)

    it("negative sizes raise", function()
      raises("bad argument #2", shm.create, shm_name(), -1)
      raises("bad argument #4", mmap.open, tmpfile("abc"), "r", 0, -1)
      raises("bad argument #3", mmap.open, tmpfile("abc"), "r", -1)
      raises("bad argument #2", sem.create, sem_name(), -1)
      raises("bad argument #2", sem.open, sem_name(), -1)
      local f = assert(io.open(tmpfile("abc"), "r+"))
      raises("bad argument #4", filelock.lock, f, "w", 0, -1)
      raises("bad argument #3", filelock.trylock, f, "w", -1)
      raises("bad argument #3", filelock.unlock, f, 0, -1)
      f:close()
      local h = strfile.open("abc")
      raises("bad argument #1", function() return h:truncate(-1) end)
      raises("bad argument #2", proc.spawn, { "true" }, { timeout = -1 })
    end)

    it("__gc closes: the creator's shm and sem names go, the child dies", function()
      local sn, n = sem_name(), shm_name()
      local hold = { shm = assert(shm.create(n, 8)),
        proc = assert(proc.spawn({ "sleep", "30" })) }
      hold.sem = assert(sem.create(sn))
      local pid = hold.proc:pid()
      hold = nil
      collectgarbage()
      collectgarbage()
      assert_fail(2, shm.attach(n))
      assert_fail(2, sem.open(sn))
      assert.is_false(alive(pid))
      assert.equal(0, H.zombies())
    end)

    it("a spawned child inherits no descriptor of any handle", function()
      local out = child_ok([[
        local ipc = require "ipc"
        local n = ...
        -- Descriptors the test run itself passes on are not ours.
        local before = ipc.proc.run({ "ls", "/proc/self/fd" }).stdout
        local path = os.tmpname()
        local f = io.open(path, "wb") f:write("0123456789") f:close()
        local keep = {
          ipc.strfile.open("x"),
          ipc.mmap.open(path, "rw"),
          ipc.shm.create(n, 64),
          ipc.proc.spawn({ "sleep", "30" }, { stdin = true, stdout = true,
            stderr = true, callback = function() end }),
        }
        if ipc.sem.create then keep[#keep + 1] = ipc.sem.create(n) end
        for i, h in ipairs(keep) do assert(h, i) end
        local r = ipc.proc.run({ "ls", "/proc/self/fd" })
        io.write(before == r.stdout and "same\n" or before .. "--\n" .. r.stdout)
        for _, h in ipairs(keep) do h:close() end
        os.remove(path)
      ]], shm_name())
      assert.equal("same\n", out)
    end)

    it("shm names: empty, '/', too long return nil, message, code", function()
      for _, bad in ipairs { "", "/", "a/b", string.rep("n", 300) } do
        assert_fail(nil, shm.create(bad, 8))
        assert_fail(nil, shm.attach(bad))
        assert_fail(nil, shm.remove(bad))
      end
    end)

    it("sem names: empty, '/', too long return nil, message, code", function()
      for _, bad in ipairs { "", "/", "a/b", string.rep("n", 300) } do
        assert_fail(nil, sem.create(bad))
        assert_fail(nil, sem.open(bad, 1))
        assert_fail(nil, sem.open(bad))
        assert_fail(nil, sem.remove(bad))
      end
    end)
  end)

  describe("The file-like handles", function()
    -- Runs `calls` (a list of {method, args...}) on a real Lua file and on
    -- each file-like handle holding `bytes`; every result must be equal.
    local function same_as_io(bytes, calls)
      local path = tmpfile(bytes)
      local real = assert(io.open(path, "rb"))
      local handles = { strfile = strfile.open(bytes) }
      if #bytes > 0 then
        handles.mmap = assert(mmap.open(path))
        local s = assert(shm.create(shm_name(), #bytes))
        s:write(bytes)
        s:seek("set", 0)
        handles.shm = s
      end
      local function run(h, c)
        if c[1] == "lines" then
          local it = h:lines(table.unpack(c, 2))
          local out = {}
          for i = 1, 20 do
            local r = table.pack(it())
            out[i] = r
            if r[1] == nil then break end
          end
          return out
        end
        return table.pack(h[c[1]](h, table.unpack(c, 2)))
      end
      for i, c in ipairs(calls) do
        local want = run(real, c)
        for kind, h in pairs(handles) do
          assert.same(want, run(h, c), ("%s, call %d (%s)"):format(kind, i, c[1]))
        end
      end
      real:close()
      for _, h in pairs(handles) do h:close() end
    end

    it("have the methods of a Lua file and size, addr, truncate", function()
      for _, kind in ipairs { "strfile", "mmap", "shm" } do
        local h = makers[kind]()
        for _, m in ipairs { "read", "lines", "write", "seek", "flush",
          "setvbuf", "close", "size", "addr", "truncate" } do
          assert.equal("function", type(h[m]), kind .. ":" .. m)
        end
        assert.equal("userdata", type(h:addr()))
        assert.equal("integer", math.type(h:size()))
        assert.is_true(h:setvbuf("no"))
        assert.is_true(h:setvbuf("full", 1024))
        assert.is_true(h:flush())
        h:close()
      end
    end)

    it("read 'n' like io, with and without '*'", function()
      same_as_io(" 12 -3.5 0x1F 1e2 nan 7", {
        { "read", "n" }, { "read", "*n" }, { "read", "n", "n" },
        { "read", "*n" }, { "read", "n" }, { "read", "a" }, { "seek", "set", 0 },
        { "read", "n", "l", "n" },
      })
    end)

    it("read counts like io, 0 included (at the start, middle and end)", function()
      same_as_io("abcdef", {
        { "read", 0 }, { "read", 2 }, { "read", 0 }, { "read", 100 },
        { "read", 0 }, { "read", 1 }, { "seek", "set", 0 }, { "read", 2, 0, 3, 5 },
      })
      same_as_io("", { { "read", 0 }, { "read", 1 }, { "read", "a" },
        { "read", "l" }, { "read", "n" }, { "read" } })
    end)

    it("read 'l', 'L', 'a' like io, with and without '*'", function()
      same_as_io("one\ntwo\n\nthree", {
        { "read" }, { "read", "*l" }, { "read", "L" }, { "read", "*L" },
        { "read", "l" }, { "read", "l" }, { "read", "a" }, { "read", "*a" },
        { "seek", "set", 0 }, { "read", "*a" }, { "seek", "set", 0 },
        { "read", "L", "l", 2, "a", "l" },
      })
    end)

    it("lines with and without formats like io", function()
      local s = "1 2\n3 4\nend\r\n\nx"
      same_as_io(s, { { "lines" } })
      same_as_io(s, { { "lines", "n", "n" } })
      same_as_io(s, { { "lines", "L" } })
      same_as_io(s, { { "lines", 3, "l" } })
      same_as_io(s, { { "lines", "*a" } })
      same_as_io(s, { { "lines", 0 } })
      same_as_io(s, { { "lines", "n", 1, "L" } })
    end)

    it("a lines iterator keeps its handle alive", function()
      local n = shm_name()
      local h = assert(shm.create(n, 200))
      h:write(string.rep("y\n", 100))
      local count = 0
      for _ in assert(shm.attach(n)):lines() do
        collectgarbage()
        count = count + 1
      end
      assert.equal(100, count)
      count = 0
      for _ in strfile.open(string.rep("x\n", 50)):lines("L") do
        collectgarbage()
        count = count + 1
      end
      assert.equal(50, count)
      h:close()
    end)

    it("CRLF is not translated", function()
      same_as_io("a\r\nb\r\n\r\n", {
        { "read", "l" }, { "read", "L" }, { "read", "a" },
      })
      local h = strfile.open("a\r\nb")
      assert.equal("a\r", h:read("l"))
    end)

    it("seek with set/cur/end and offsets like io; default is cur", function()
      same_as_io("0123456789", {
        { "seek" }, { "seek", "set" }, { "seek", "set", 4 }, { "read", 2 },
        { "seek", "cur" }, { "seek", "cur", -3 }, { "read", 1 },
        { "seek", "end" }, { "seek", "end", -4 }, { "read", "a" },
        { "seek", "cur", 0 }, { "seek", "set", 10 }, { "read", 0 },
      })
    end)

    it("an out-of-range seek returns nil, message and does not move", function()
      for _, kind in ipairs { "strfile", "mmap", "shm" } do
        local h = makers[kind]()
        local size = h:size()
        h:seek("set", 1)
        for _, args in ipairs { { "set", -1 }, { "cur", -2 }, { "end", -size - 1 },
          { "set", size + 1 }, { "end", 1 } } do
          local ok, msg = h:seek(table.unpack(args))
          assert.is_nil(ok, kind .. " " .. args[1] .. " " .. args[2])
          assert.is_string(msg)
        end
        assert.equal(1, h:seek())
        h:close()
      end
    end)

    it("write past the end writes what fits: nil, 'not enough space'", function()
      for _, kind in ipairs { "mmap", "shm" } do
        local h = makers[kind]()
        local size = h:size()
        h:seek("set", size - 2)
        local ok, msg = h:write("XYZ")
        assert.is_nil(ok)
        assert.equal("not enough space", msg)
        assert.equal(size, h:size()) -- never grows
        assert.equal(size, h:seek())
        h:seek("set", size - 2)
        assert.equal("XY", h:read("a"))
        ok, msg = h:write("more")
        assert.is_nil(ok)
        assert.equal("not enough space", msg)
        h:close()
      end
    end)

    it("write to a read-only handle returns nil, message, code", function()
      assert_fail(nil, strfile.open("abc"):write("x"))
      local h = assert(mmap.open(tmpfile("abc"), "r"))
      assert_fail(nil, h:write("x"))
      h:close()
      h = assert(mmap.open(paths[#paths])) -- the default mode is "r"
      assert_fail(nil, h:write("x"))
      h:close()
    end)

    it("write returns the handle and formats numbers as io.write", function()
      local values = { 1, -7, 0.5, 1 / 3, 1e100, -0.0, 2^63, math.mininteger,
        3.0, 100 // 1, 1e15, 123456789012 }
      local ref = tmpfile()
      local f = assert(io.open(ref, "wb"))
      f:write(table.unpack(values))
      f:close()
      local want = H.readfile(ref)
      local h = assert(shm.create(shm_name(), #want))
      assert.equal(h, h:write(table.unpack(values)))
      h:seek("set", 0)
      assert.equal(want, h:read("a"))
      h:close()
    end)

    it("truncate shrinks; growing returns nil, message and changes nothing", function()
      for _, kind in ipairs { "strfile", "mmap", "shm" } do
        local h = makers[kind]()
        local size = h:size()
        local ok, msg = h:truncate(size + 1)
        assert.is_nil(ok, kind)
        assert.is_string(msg)
        assert.equal(size, h:size())
        h:seek("set", 0)
        local before = h:read("a")
        assert.equal(size, #before)
        assert.is_true(h:truncate(2))
        assert.equal(2, h:size())
        h:seek("set", 0)
        assert.equal(before:sub(1, 2), h:read("a"))
        h:close()
      end
    end)

    it("strfile.open gives a read-only handle over the string's bytes", function()
      local s = "bin\0ary\255\n"
      local h = strfile.open(s)
      assert.equal(#s, h:size())
      assert.equal(s, h:read("a"))
      h:seek("set", 0)
      assert_fail(nil, h:write("x"))
      assert.equal(s, h:read("a"))
      h:close()
      -- The handle keeps its string alive.
      h = strfile.open(("%d"):format(2^40) .. string.rep("z", 100))
      collectgarbage()
      collectgarbage()
      assert.equal("1099511627776" .. string.rep("z", 100), h:read("a"))
      h:close()
    end)
  end)

  describe("ipc.mmap", function()
    it("pagesize is a positive integer", function()
      assert.equal("integer", math.type(mmap.pagesize))
      assert.is_true(mmap.pagesize > 0)
    end)

    it("modes r, w, rw; flush makes the bytes reach the file", function()
      local p = tmpfile("0123456789")
      local h = assert(mmap.open(p, "w"))
      assert.equal(h, h:write("ab"))
      assert.is_true(h:flush())
      assert.equal("ab23456789", H.readfile(p))
      h:close()
      h = assert(mmap.open(p, "rw"))
      assert.equal("ab23", h:read(4))
      assert.equal(h, h:write("CD"))
      assert.is_true(h:flush())
      assert.equal("ab23CD6789", H.readfile(p))
      h:close()
      h = assert(mmap.open(p, "r"))
      assert.equal("ab23CD6789", h:read("a"))
      h:close()
    end)

    it("size 0 means the rest of the file; offset is page-aligned", function()
      local P = mmap.pagesize
      local p = tmpfile(string.rep("a", P) .. "rest")
      local h = assert(mmap.open(p, "r", P, 0))
      assert.equal(4, h:size())
      assert.equal("rest", h:read("a"))
      h:close()
      h = assert(mmap.open(p, "r", 0, 0))
      assert.equal(P + 4, h:size())
      h:close()
      h = assert(mmap.open(p, "r", P, 2))
      assert.equal("re", h:read("a"))
      h:close()
    end)

    it("zero-length file, unaligned offset, size past the end: nil, message, code", function()
      local P = mmap.pagesize
      assert_fail(nil, mmap.open(tmpfile("")))
      local p = tmpfile(string.rep("x", 2 * P))
      assert_fail(nil, mmap.open(p, "r", 1))
      assert_fail(nil, mmap.open(p, "r", P + 1))
      assert_fail(nil, mmap.open(p, "r", 0, 2 * P + 1))
      assert_fail(nil, mmap.open(p, "r", P, P + 1))
      assert_fail(nil, mmap.open(p, "r", 3 * P))
    end)
  end)

  describe("ipc.shm", function()
    it("create fails if the name exists; attach maps the full size", function()
      local n = shm_name()
      local h = assert(shm.create(n, 100))
      assert_fail(17, shm.create(n, 100))
      assert_fail(17, shm.create(n, 5))
      local a = assert(shm.attach(n))
      assert.equal(100, a:size())
      h:write("shared")
      assert.equal("shared", a:read(6))
      a:close()
      h:close()
    end)

    it("the creator's close removes the name; attached handles keep working", function()
      local n = shm_name()
      local h = assert(shm.create(n, 10))
      local out = child_ok([[
        local shm = require "ipc.shm"
        local a = assert(shm.attach(...))
        a:write("child")
        a:close()
      ]], n)
      assert.equal("", out)
      local a = assert(shm.attach(n))
      assert.is_true(h:close())
      assert_fail(2, shm.attach(n))
      assert.equal("child", a:read(5))
      assert.equal(a, a:write("!"))
      assert.is_true(a:close())
    end)

    it("an attacher's close keeps the name", function()
      local n = shm_name()
      local h = assert(shm.create(n, 10))
      assert.is_true(assert(shm.attach(n)):close())
      assert.is_true(assert(shm.attach(n)):close())
      h:close()
    end)

    it("remove removes a name left behind by a crashed creator", function()
      local n = shm_name()
      local ok, what = H.run_lua([[
        local h = assert(require("ipc.shm").create(..., 10))
        os.exit(3, false)
      ]], n)
      assert.is_nil(ok)
      assert.equal("exit", what)
      assert.is_true(assert(shm.attach(n)):close())
      assert.is_true(shm.remove(n))
      assert_fail(2, shm.attach(n))
      assert_fail(2, shm.remove(n))
    end)
  end)

  describe("ipc.sem", function()
    it("open(name, n) creates with n, failing if the name exists", function()
      local n = sem_name()
      local h = assert(sem.open(n, 3))
      assert.equal(3, h:value())
      assert_fail(17, sem.open(n, 1))
      h:close()
    end)

    it("the creator by open(name, n) also removes the name on close", function()
      local n = sem_name()
      local h = assert(sem.open(n, 1))
      local o = assert(sem.open(n))
      assert.is_true(o:close())
      assert.is_true(assert(sem.open(n)):close())
      assert.is_true(h:close())
      assert_fail(2, sem.open(n))
    end)

    it("open(name) and open(name, 0) open an existing one, else fail", function()
      local n = sem_name()
      assert_fail(2, sem.open(n))
      assert_fail(2, sem.open(n, 0))
      local h = assert(sem.open(n, 2))
      local a, b = assert(sem.open(n)), assert(sem.open(n, 0))
      assert.equal(2, a:value())
      assert.is_true(a:dec(0))
      assert.equal(1, b:value())
      a:close()
      b:close()
      h:close()
    end)

    it("create(name) starts at 0, create(name, n) at n, failing if the name exists", function()
      local n = sem_name()
      local h = assert(sem.create(n))
      assert.equal(0, h:value())
      assert.is_false(h:dec(0))
      assert_fail(17, sem.create(n))
      assert_fail(17, sem.create(n, 4))
      h:close()
      h = assert(sem.create(n, 4))
      assert.equal(4, h:value())
      h:close()
    end)

    it("inc and dec across processes; dec(0) tries; value", function()
      local n = sem_name()
      local h = assert(sem.create(n))
      child_ok([[
        local s = assert(require("ipc.sem").open(...))
        assert(s:inc() == true)
        assert(s:inc() == true)
        s:close()
      ]], n)
      assert.equal(2, h:value())
      assert.is_true(h:dec(0))
      assert.is_true(h:dec())
      assert.is_false(h:dec(0))
      assert.equal(0, h:value())
      h:close()
    end)

    it("dec(t) returns false after about t seconds; fractions allowed", function()
      local h = assert(sem.create(sem_name()))
      local t0 = now()
      assert.is_false(h:dec(0.3))
      local dt = now() - t0
      assert.is_true(dt >= 0.28 and dt < 5, tostring(dt))
      h:close()
    end)

    it("dec() waits forever; dec(-1) too: another process's inc ends it", function()
      local n = sem_name()
      local h = assert(sem.create(n))
      for _, args in ipairs { {}, { -1 }, { 2.5 } } do
        local c = H.spawn_lua([[
          os.execute("sleep 0.3")
          local s = assert(require("ipc.sem").open(...))
          s:inc()
        ]], n)
        local t0 = now()
        assert.is_true(h:dec(table.unpack(args)))
        assert.is_true(now() - t0 >= 0.2)
        assert(c.wait())
      end
      h:close()
    end)

    it("a signal during a timed wait does not end it early", function()
      -- libuv's SIGCHLD handler is installed by proc.spawn; a child that
      -- exits during the wait interrupts sem_timedwait with EINTR.
      local out = child_ok([[
        local sem, proc = require "ipc.sem", require "ipc.proc"
        local s = assert(sem.create(...))
        local p = assert(proc.spawn({ "sleep", "0.1" }))
        local function now() return tonumber(io.open("/proc/uptime"):read("n")) end
        local t0 = now()
        local r = table.pack(s:dec(0.6))
        local dt = now() - t0
        print(r.n, r[1], dt >= 0.55)
        p:wait()
        p = assert(proc.spawn({ "sh", "-c", "sleep 0.1; exit 0" }))
        local c = io.popen("sleep 0.4; lua5.4 -e 'require(\"ipc.sem\").open(\"" .. ... .. "\"):inc()'")
        print(s:dec())
        c:close()
        p:wait()
        s:close()
      ]], sem_name())
      assert.equal("1\tfalse\ttrue\ntrue\n", out)
    end)

    it("the creator's close removes the name; other handles keep working", function()
      local n = sem_name()
      local h = assert(sem.create(n, 1))
      local o = assert(sem.open(n))
      assert.is_true(h:close())
      assert_fail(2, sem.open(n))
      assert.is_true(o:inc())
      assert.equal(2, o:value())
      assert.is_true(o:close())
    end)

    it("an opener's close keeps the name; remove removes it", function()
      local n = sem_name()
      local h = assert(sem.create(n))
      assert.is_true(assert(sem.open(n)):close())
      assert.is_true(assert(sem.open(n)):close())
      assert.is_true(sem.remove(n))
      assert_fail(2, sem.open(n))
      assert.is_true(h:inc())
      assert.is_true(h:close()) -- the name was removed already: still true
      assert_fail(2, sem.remove(n))
    end)
  end)

  describe("ipc.filelock", function()
    -- A child that tries to lock `path` and prints the result.
    local TRY = [[
      local filelock = require "ipc.filelock"
      local path, mode, offset, nbytes = ...
      local f = assert(io.open(path, "r+"))
      local r = table.pack(filelock.trylock(f, mode, tonumber(offset), tonumber(nbytes)))
      print(r.n, r[1])
      f:close()
    ]]
    local function child_try(path, mode, offset, nbytes)
      return child_ok(TRY, path, mode, tostring(offset or 0), tostring(nbytes or 0))
    end

    it("an exclusive lock makes another process's trylock return false", function()
      local p = tmpfile("0123456789")
      local f = assert(io.open(p, "r+"))
      assert.is_true(filelock.lock(f, "w"))
      assert.equal("1\tfalse\n", child_try(p, "r"))
      assert.equal("1\tfalse\n", child_try(p, "w"))
      assert.is_true(filelock.unlock(f))
      assert.equal("1\ttrue\n", child_try(p, "w"))
      f:close()
    end)

    it("'r' is shared, 'rw' exclusive", function()
      local p = tmpfile("0123456789")
      local f = assert(io.open(p, "r+"))
      assert.is_true(filelock.lock(f, "r"))
      assert.equal("1\ttrue\n", child_try(p, "r"))
      assert.equal("1\tfalse\n", child_try(p, "w"))
      assert.is_true(filelock.lock(f, "rw"))
      assert.equal("1\tfalse\n", child_try(p, "r"))
      f:close()
    end)

    it("ranges: offset and nbytes; 0 means to the end of file and beyond", function()
      local p = tmpfile("0123456789")
      local f = assert(io.open(p, "r+"))
      assert.is_true(filelock.lock(f, "w", 2, 3))
      assert.equal("1\ttrue\n", child_try(p, "w", 0, 2))
      assert.equal("1\ttrue\n", child_try(p, "w", 5, 100))
      assert.equal("1\tfalse\n", child_try(p, "w", 4, 1))
      assert.is_true(filelock.unlock(f, 2, 3))
      assert.is_true(filelock.lock(f, "w", 6))
      assert.equal("1\tfalse\n", child_try(p, "w", 1000000, 1))
      assert.equal("1\ttrue\n", child_try(p, "w", 0, 6))
      assert.is_true(filelock.unlock(f, 6, 0))
      assert.equal("1\ttrue\n", child_try(p, "w", 1000000, 1))
      f:close()
    end)

    it("two handles of the same file in one process exclude each other", function()
      if not require("ipc").platform.ofd_locks then return pending("needs platform.ofd_locks") end
      local p = tmpfile("data")
      local a, b = assert(io.open(p, "r+")), assert(io.open(p, "r+"))
      assert.is_true(filelock.lock(a, "w"))
      assert.is_false(filelock.trylock(b, "w"))
      assert.is_false(filelock.trylock(b, "r"))
      assert.is_true(filelock.unlock(a))
      assert.is_true(filelock.trylock(b, "w"))
      assert.is_false(filelock.trylock(a, "r"))
      a:close()
      b:close()
    end)

    it("closing an unrelated handle of the file keeps the lock", function()
      if not require("ipc").platform.ofd_locks then return pending("needs platform.ofd_locks") end
      local p = tmpfile("data")
      local a = assert(io.open(p, "r+"))
      assert.is_true(filelock.lock(a, "w"))
      local other = assert(io.open(p, "r"))
      other:close()
      assert.equal("1\tfalse\n", child_try(p, "w"))
      a:close()
      assert.equal("1\ttrue\n", child_try(p, "w"))
    end)

    it("a blocking lock waits until the holder unlocks", function()
      local p = tmpfile("data")
      local c = H.spawn_lua([[
        local filelock = require "ipc.filelock"
        local f = assert(io.open(..., "r+"))
        assert(filelock.lock(f, "w"))
        io.open(... .. ".held", "w"):close()
        os.execute("sleep 0.4")
        f:close()
      ]], p)
      paths[#paths + 1] = p .. ".held"
      while not io.open(p .. ".held") do H.sleep(0.01) end
      local f = assert(io.open(p, "r+"))
      assert.is_false(filelock.trylock(f, "w"))
      local t0 = now()
      assert.is_true(filelock.lock(f, "w"))
      assert.is_true(now() - t0 >= 0.1)
      f:close()
      assert(c.wait())
    end)

    it("after a lock the read buffer is discarded: reads see other writers", function()
      local p = tmpfile(string.rep("a", 100))
      local f = assert(io.open(p, "r"))
      assert.equal("a", f:read(1)) -- fills the read buffer
      local w = assert(io.open(p, "r+"))
      w:seek("set", 1)
      w:write(string.rep("b", 99))
      w:close()
      assert.is_true(filelock.lock(f, "r"))
      assert.equal("bbb", f:read(3))
      f:close()
    end)
  end)

  describe("ipc.proc", function()
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
      local h, got = collect("echo $0; echo a | tr a b; exit 3", { stdout = true })
      assert.same({ nil, "exit", 3 }, { h:wait() })
      local out = table.concat(got.stdout)
      assert.matches("^[%w/]*sh\nb\n$", out)
      h:close()
    end)

    it("spawn fails with nil, message, code: missing program, bad cwd, too long", function()
      assert_fail(2, proc.spawn({ "ipc-no-such-program-anywhere" }))
      assert_fail(13, proc.spawn({ "/etc/passwd" }))
      assert_fail(2, proc.spawn("true", { cwd = "/nonexistent/dir" }))
      assert_fail(2, proc.spawn({ "true" }, { cwd = "/nonexistent/dir" }))
      local big = string.rep("x", 1 << 20)
      assert_fail(7, proc.spawn({ "true", big, big, big }))
      assert_fail(7, proc.spawn("true " .. big .. " " .. big .. " " .. big))
    end)

    it("callback gets ('stdout'|'stderr', non-empty string)", function()
      local h, got = collect({ "sh", "-c",
        "for i in 1 2 3 4 5; do echo o$i; echo e$i >&2; done; printf ''" },
        { stdout = true, stderr = true })
      assert.same({ true, "exit", 0 }, { h:wait() })
      for _, c in ipairs(got.calls) do
        assert.is_true(c[1] == "stdout" or c[1] == "stderr")
        assert.equal("string", type(c[2]))
        assert.is_true(#c[2] > 0)
        assert.equal(2, c.n)
      end
      assert.equal("o1\no2\no3\no4\no5\n", table.concat(got.stdout))
      assert.equal("e1\ne2\ne3\ne4\ne5\n", table.concat(got.stderr))
      h:close()
    end)

    it("stdin/stdout/stderr false or absent use the parent's streams", function()
      local script = tmpfile([[
        local proc = require "ipc.proc"
        local h = assert(proc.spawn({ "sh", "-c", "read x; echo out:$x; echo err:$x >&2" },
          { stdin = false, stdout = false }))
        print(h:wait())
      ]])
      local out, err = tmpfile(), tmpfile()
      assert(os.execute(("printf 'in\\n' | lua5.4 %s >%s 2>%s"):format(script, out, err)))
      assert.equal("out:in\ntrue\texit\t0\n", H.readfile(out))
      assert.equal("err:in\n", H.readfile(err))
    end)

    it("stdout and stderr may be Lua files", function()
      local po, pe = tmpfile(), tmpfile()
      local fo, fe = assert(io.open(po, "wb")), assert(io.open(pe, "wb"))
      local h = assert(proc.spawn("echo to-out; echo to-err >&2",
        { stdout = fo, stderr = fe }))
      assert.same({ true, "exit", 0 }, { h:wait() })
      h:close()
      fo:close()
      fe:close()
      assert.equal("to-out\n", H.readfile(po))
      assert.equal("to-err\n", H.readfile(pe))
    end)

    it("a callback is required when stdout or stderr is a pipe", function()
      raises("callback", proc.spawn, { "true" }, { stdout = true })
      raises("callback", proc.spawn, { "true" }, { stderr = true })
      local h = assert(proc.spawn({ "cat" }, { stdin = true }))
      h:write(proc.EOF)
      assert.same({ true, "exit", 0 }, { h:wait() })
      h:close()
    end)

    it("without luv, callbacks run only inside wait", function()
      local h, got = collect({ "echo", "hi" }, { stdout = true })
      H.sleep(0.2)
      assert.same({}, got.calls)
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal("hi\n", table.concat(got.stdout))
      h:close()
    end)

    it("env adds and overrides, false removes; clear_env; cwd", function()
      local r = proc.run("echo $IPC_NEW:$HOME:${USER-unset}:$(pwd)",
        { env = { IPC_NEW = "new", HOME = "/home/override", USER = false },
          cwd = "/" })
      assert.equal("new:/home/override:unset:/\n", r.stdout)
      r = proc.run({ "/usr/bin/env" }, { clear_env = true })
      assert.equal("", r.stdout)
      assert.is_true(r.ok)
    end)

    it("group: kill signals the child's whole group", function()
      local h, got = collect("sleep 30 & echo $!; wait", { stdout = true, group = true })
      while #got.stdout == 0 do assert.is_false(h:wait(0.05)) end
      local gc = tonumber(table.concat(got.stdout):match("%d+"))
      assert.is_true(h:kill("term"))
      assert.same({ nil, "signal", 15 }, { h:wait() })
      h:close()
      for _ = 1, 200 do if not alive(gc) then break end H.sleep(0.01) end
      assert.is_false(alive(gc))
    end)

    it("timeout: SIGTERM (to the group with group), timed_out, wait nil, 'signal', n", function()
      local h, got = collect("sleep 30 & echo $!; wait",
        { stdout = true, group = true, timeout = 0.3 })
      assert.is_false(h:timed_out())
      local t0 = now()
      assert.same({ nil, "signal", 15 }, { h:wait() })
      local dt = now() - t0
      assert.is_true(dt >= 0.25 and dt < 10, tostring(dt))
      assert.is_true(h:timed_out())
      local gc = tonumber(table.concat(got.stdout):match("%d+"))
      for _ = 1, 200 do if not alive(gc) then break end H.sleep(0.01) end
      assert.is_false(alive(gc))
      h:close()
    end)

    it("timed_out is false for a child that ended in time", function()
      local h = assert(proc.spawn({ "true" }, { timeout = 30 }))
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.is_false(h:timed_out())
      h:close()
    end)

    it("drain_timeout defaults to 1 s: a grandchild holding the pipe cannot hang wait", function()
      local h, got = collect("sleep 30 & echo $!", { stdout = true })
      local t0 = now()
      assert.same({ true, "exit", 0 }, { h:wait() })
      local dt = now() - t0
      assert.is_true(dt >= 0.8 and dt < 8, tostring(dt))
      h:close()
      local gc = tonumber(table.concat(got.stdout):match("%d+"))
      assert.is_number(gc)
      os.execute("kill " .. gc)
    end)

    it("output a grandchild writes before the pipes reach EOF is delivered", function()
      local h, got = collect("(sleep 0.3; echo late) & echo early", { stdout = true })
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal("early\nlate\n", table.concat(got.stdout))
      h:close()
    end)

    it("EOF reaches a child although another child was spawned meanwhile", function()
      -- The parent's end of the stdin pipe is close-on-exec: the second
      -- child does not hold it open.
      local a, got = collect({ "cat" }, { stdin = true, stdout = true })
      local b = assert(proc.spawn({ "sleep", "30" }))
      a:write("x\n", proc.EOF)
      assert.same({ true, "exit", 0 }, { a:wait(20) })
      assert.equal("x\n", table.concat(got.stdout))
      b:close()
      a:close()
    end)

    it("children start with SIGPIPE at its default (reading: like os.execute)", function()
      local r = proc.run("{ yes; echo \"status $?\" >&2; } | head -c 1")
      assert.equal("y", r.stdout)
      assert.equal("status 141\n", r.stderr)
    end)

    it("write queues without blocking and returns true; EOF closes stdin", function()
      local h, got = collect({ "sh", "-c", "sleep 0.3; wc -c" }, { stdin = true, stdout = true })
      local chunk = string.rep("z", 1 << 20)
      for _ = 1, 4 do assert.is_true(h:write(chunk)) end -- more than a pipe holds
      assert.is_true(h:write("tail", proc.EOF))
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal(4 * (1 << 20) + 4, tonumber(table.concat(got.stdout)))
      h:close()
    end)

    it("write raises without a stdin pipe and after EOF", function()
      local h = assert(proc.spawn({ "cat" }, { stdin = true }))
      h:write(proc.EOF)
      assert.has_error(function() h:write("late") end)
      assert.has_error(function() h:write(proc.EOF) end)
      h:wait()
      h:close()
      h = assert(proc.spawn({ "true" }))
      assert.has_error(function() h:write("x") end)
      h:wait()
      assert.has_error(function() h:write("x") end)
      h:close()
      local f = assert(io.open("/dev/null", "rb"))
      h = assert(proc.spawn({ "true" }, { stdin = f }))
      assert.has_error(function() h:write("x") end)
      h:wait()
      h:close()
      f:close()
    end)

    it("kill: names map to their signals, numbers work, true on success", function()
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
      local h, got = collect("echo $$", { stdout = true })
      local pid = h:pid()
      assert.equal("integer", math.type(pid))
      assert.is_true(pid > 0)
      h:wait()
      assert.equal(pid .. "\n", table.concat(got.stdout))
      h:close()
    end)

    it("wait returns what os.execute returns", function()
      for _, cmd in ipairs { "exit 0", "exit 1", "exit 200", "kill -TERM $$",
        "kill -KILL $$" } do
        local h = assert(proc.spawn(cmd))
        assert.same({ os.execute(cmd) }, { h:wait() }, cmd)
        h:close()
      end
    end)

    it("wait(t) returns false while running, wait(0) polls; later waits repeat", function()
      local h = assert(proc.spawn({ "sleep", "0.4" }))
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
      local h, got = collect({ "sh", "-c", "head -c 1000000 /dev/zero; head -c 70000 /dev/zero >&2" },
        { stdout = true, stderr = true })
      assert.same({ true, "exit", 0 }, { h:wait() })
      assert.equal(1000000, #table.concat(got.stdout))
      assert.equal(70000, #table.concat(got.stderr))
      h:close()
    end)

    it("a callback error propagates unchanged out of wait; wait again continues", function()
      local obj = { "an error object" }
      local n = 0
      local h = assert(proc.spawn({ "sh", "-c", "echo 1; sleep 0.1; echo 2; sleep 0.1; echo 3" }, {
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
      assert.is_true(alive(h:pid()))
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
        local h = assert(proc.spawn({ "sh", "-c", "echo a; echo b >&2; sleep 0.05; echo c" }, {
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
      assert.same({ stdout = "a\nc\n", stderr = "b\n" }, streams)
      assert.equal(i - 1, #got)
      for k, v in ipairs(got) do assert.equal(k + 1, v) end
    end)

    it("a child that closes stdin with input queued: ('stdin', nil, msg, code), status kept", function()
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
      local out = child_ok [[
        local proc = require "ipc.proc"
        local errs = {}
        local h = assert(proc.spawn({ "sh", "-c", "exit 4" }, { stdin = true,
          callback = function(s, d, m, c) errs[#errs + 1] = s .. ":" .. tostring(c) end }))
        for _ = 1, 8 do h:write(string.rep("w", 1 << 20)) end
        print(h:wait())
        print(#errs, errs[1])
        h:close()
      ]]
      assert.equal("nil\texit\t4\n1\tstdin:32\n", out)
    end)

    it("a collected or closed handle kills its child: no zombie, no descriptor", function()
      local out = child_ok [[
        local proc = require "ipc.proc"
        local function fds()
          local p = io.popen("ls /proc/" .. io.open("/proc/self/stat"):read("n") .. "/fd")
          local n = 0
          for _ in p:lines() do n = n + 1 end
          p:close()
          return n
        end
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
        local r = proc.run({ "true" })
        assert.same({ ok = true, what = "exit", code = 0, stdout = "", stderr = "",
          truncated = false, timed_out = false }, r)
        r = proc.run("printf out; printf err >&2; kill -USR2 $$")
        assert.same({ ok = nil, what = "signal", code = 12, stdout = "out",
          stderr = "err", truncated = false, timed_out = false }, r)
      end)

      it("feeds input then EOF; takes spawn's options", function()
        local r = proc.run({ "sh", "-c", "cat; echo $X; pwd" },
          { input = "in\n", env = { X = "x" }, cwd = "/" })
        assert.equal("in\nx\n/\n", r.stdout)
        assert.is_true(r.ok)
        r = proc.run({ "cat" })
        assert.is_true(r.ok)
        assert.equal("", r.stdout)
      end)

      it("max_output keeps that many bytes per stream and says so", function()
        local r = proc.run("head -c 5000 /dev/zero; head -c 10 /dev/zero >&2",
          { max_output = 100 })
        assert.is_true(r.ok)
        assert.equal(100, #r.stdout)
        assert.equal(10, #r.stderr)
        assert.is_true(r.truncated)
      end)

      it("timeout and group", function()
        local t0 = now()
        local r = proc.run("sleep 30 & wait", { timeout = 0.2, group = true })
        assert.is_true(now() - t0 < 10)
        assert.same({ nil, "signal", 15, true }, { r.ok, r.what, r.code, r.timed_out })
      end)

      it("returns nil, message, code when the process cannot start", function()
        assert_fail(2, proc.run({ "ipc-no-such-program-anywhere" }))
        assert_fail(2, proc.run({ "true" }, { cwd = "/nonexistent/dir" }))
      end)

      it("raises when given a callback", function()
        assert.has_error(function() proc.run({ "true" }, { callback = print }) end)
      end)
    end)
  end)

  describe("Inside a luv program", function()
    -- `go(f)` runs f in a coroutine started from the loop, so that it runs
    -- while uv.run() is running.
    local function luv_ok(code)
      return child_ok('local uv = require "luv"\nlocal proc = require "ipc.proc"\n'
        .. 'local function go(f) local t = uv.new_timer() '
        .. 't:start(0, 0, function() t:close() coroutine.wrap(f)() end) end\n' .. code)
    end

    it("callbacks arrive while uv.run() runs, with no call to wait", function()
      assert.equal("ticked\ttrue\nout\n", luv_ok [[
        local got, ticks = {}, 0
        local h = assert(proc.spawn({ "sh", "-c", "sleep 0.1; echo out" },
          { stdout = true, callback = function(_, d) got[#got + 1] = d end }))
        local t = uv.new_timer()
        t:start(5, 5, function() ticks = ticks + 1 end)
        local c = uv.new_timer()
        c:start(600, 0, function() t:close() c:close() end)
        uv.run()
        print("ticked", ticks > 5)
        io.write(table.concat(got))
        h:close()
      ]])
    end)

    it("errors in callbacks are reported the way luv reports them", function()
      local ok, _, _, out, err = H.run_lua [[
        local uv = require "luv"
        local proc = require "ipc.proc"
        proc.spawn({ "echo", "x" }, { stdout = true,
          callback = function() error("raised in the callback") end })
        uv.run()
        print("after")
      ]]
      local ok2, _, _, out2, err2 = H.run_lua [[
        local uv = require "luv"
        local t = uv.new_timer()
        t:start(1, 0, function() error("raised in the callback") end)
        uv.run()
        print("after")
      ]]
      assert.equal(ok2, ok)
      assert.equal(out2, out)
      assert.equal(err2:match("^[^\n]*"):gsub("^.-raised", "raised"),
        (err:match("^[^\n]*"):gsub("^.-raised", "raised")))
      assert.matches(err2:match("^(%a+ %a+)"), err, 1, true)
    end)

    it("wait in a coroutine suspends only that coroutine, resumed with the results", function()
      assert.equal("true\texit\t0\ttrue\n", luv_ok [[
        local ticks = 0
        local t = uv.new_timer()
        t:start(5, 5, function() ticks = ticks + 1 end)
        go(function()
          local h = assert(proc.spawn({ "sleep", "0.2" }))
          local ok, what, code = h:wait()
          print(ok, what, code, ticks > 5)
          h:close()
          t:close()
        end)
        uv.run()
      ]])
    end)

    it("proc.run in a coroutine suspends only that coroutine", function()
      assert.equal("true\thi\n\ttrue\n", luv_ok [[
        local ticks = 0
        local t = uv.new_timer()
        t:start(5, 5, function() ticks = ticks + 1 end)
        go(function()
          local r = proc.run({ "sh", "-c", "sleep 0.2; echo hi" })
          print(r.ok, r.stdout, ticks > 5)
          t:close()
        end)
        uv.run()
      ]])
    end)

    it("wait from the main thread without uv.run runs the loop itself", function()
      assert.equal("nil\texit\t5\tout\n\n", luv_ok [[
        local got = {}
        local h = assert(proc.spawn({ "sh", "-c", "echo out; exit 5" },
          { stdout = true, callback = function(_, d) got[#got + 1] = d end }))
        local ok, what, code = h:wait()
        print(ok, what, code, table.concat(got))
        h:close()
      ]])
    end)

    it("wait from a luv callback on the main thread raises, naming coroutines", function()
      local out = luv_ok [[
        local h = assert(proc.spawn({ "sleep", "0.1" }))
        local t = uv.new_timer()
        t:start(1, 0, function()
          print(pcall(h.wait, h))
          t:close()
        end)
        uv.run()
        h:close()
      ]]
      assert.matches("^false\t.*coroutine", out)
    end)

    it("proc.run from a luv callback on the main thread raises like wait", function()
      local out = luv_ok [[
        local t = uv.new_timer()
        t:start(1, 0, function()
          print(pcall(proc.run, { "true" }))
          t:close()
        end)
        uv.run()
      ]]
      assert.matches("^false\t.*coroutine", out)
    end)

    it("a dropped handle with a running child stays alive on the loop", function()
      assert.equal("late\n", luv_ok [[
        proc.spawn({ "sh", "-c", "sleep 0.2; echo late" },
          { stdout = true, callback = function(_, d) io.write(d) end })
        collectgarbage() collectgarbage()
        uv.run()
      ]])
    end)

    it("sem:dec with a wait in a coroutine suspends only that coroutine", function()
      assert.equal("false\ttrue\n", luv_ok(([[
        local sem = require "ipc.sem"
        local s = assert(sem.create(%q))
        local ticks = 0
        local t = uv.new_timer()
        t:start(5, 5, function() ticks = ticks + 1 end)
        go(function()
          local r = s:dec(0.3)
          print(r, ticks > 5)
          t:close()
          s:close()
        end)
        uv.run()
      ]]):format(sem_name())))
    end)

    it("filelock.lock in a coroutine suspends only that coroutine", function()
      local p = tmpfile("data")
      local c = H.spawn_lua([[
        local f = assert(io.open(..., "r+"))
        assert(require("ipc.filelock").lock(f, "w"))
        io.open(... .. ".held", "w"):close()
        os.execute("sleep 0.4")
        f:close()
      ]], p)
      paths[#paths + 1] = p .. ".held"
      while not io.open(p .. ".held") do H.sleep(0.01) end
      assert.equal("true\ttrue\n", luv_ok(([[
        local filelock = require "ipc.filelock"
        local f = assert(io.open(%q, "r+"))
        local ticks = 0
        local t = uv.new_timer()
        t:start(5, 5, function() ticks = ticks + 1 end)
        go(function()
          local r = filelock.lock(f, "w")
          print(r, ticks > 5)
          t:close()
          f:close()
        end)
        uv.run()
      ]]):format(p)))
      assert(c.wait())
    end)
  end)
end)

describe("ipc.proc: what a child inherits, and proc.run's options", function()
  -- "Every file descriptor is opened close-on-exec: a spawned child
  -- inherits only the pipes and files it was given." Lua opens its files
  -- with fopen, without close-on-exec; they must not reach the child.
  it("a child does not inherit a Lua file it was not given", function()
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
    local p = os.tmpname()
    local f = assert(io.open(p, "r+"))
    assert(filelock.lock(f, "w"))
    local h = assert(proc.spawn({ "sleep", "30" }))
    f:close()
    local r = proc.run({ "lua5.4", "-e", ("print(require('ipc.filelock')"
      .. ".trylock(io.open(%q, 'r+'), 'w'))"):format(p) })
    h:close()
    os.remove(p)
    assert.equal("true\n", r.stdout)
  end)

  -- proc.run takes "the same cmd and options as spawn": with stdin = true
  -- and no input, the child gets an empty stdin (EOF at once).
  it("proc.run with stdin = true and no input does not hang", function()
    local ok = os.execute("timeout 10 lua5.4 -e 'assert(require(\"ipc.proc\")"
      .. ".run({ \"cat\" }, { stdin = true }).ok)'")
    assert.is_true(ok)
  end)

  -- "Misuse ... raises a Lua error whose message names the function and
  -- the argument": bad options given to proc.run name run, not the spawn
  -- it calls, and no position inside run.
  it("proc.run option errors name 'run' and the caller's position", function()
    local ok, err = pcall(proc.run, { "true" }, { timeout = -1 })
    assert.is_false(ok)
    assert.matches("bad argument #2 to '[%w.]*run'", err)
    assert.not_matches("ipc.proc.run:%d+:", err)
  end)

  -- The same rule: a closed Lua file given as options.stdout names spawn
  -- and the option.
  it("a closed Lua file as options.stdout names the argument", function()
    local f = assert(io.open("/dev/null", "w"))
    f:close()
    local ok, err = pcall(proc.spawn, { "true" }, { stdout = f })
    assert.is_false(ok)
    assert.matches("bad argument #2 to '[%w.]*spawn'", err)
  end)

  -- SIGPIPE is caught (not ignored) by ipc.proc, so that children of
  -- os.execute and io.popen still die of it quietly after exec.
  it("children of os.execute keep the default SIGPIPE", function()
    local p = assert(io.popen("(yes | head -c 1 >/dev/null) 2>&1"))
    local out = p:read("a")
    p:close()
    assert.equal("", out)
  end)
end)
