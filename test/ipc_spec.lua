-- What every module shares (docs/contract.md, "Layout and loading",
-- "Conventions shared by every module" and "The file-like handles
-- (strfile, mmap, shm)"): how the modules load, the shape of OS failures
-- and of misuse errors, the handle lifecycle, and the file-like methods
-- compared call by call with a real Lua file. Where the contract is
-- ambiguous the reading tested is said in the test. What is particular to
-- one module is in test/<module>_spec.lua.
require "spec_helper"
local ipc = require "ipc"
local shm = require "ipc.shm"
local sem = require "ipc.sem"
local mmap = require "ipc.mmap"
local filelock = require "ipc.filelock"
local proc = require "ipc.proc"
local strfile = require "ipc.strfile"

local MODULES = { "shm", "sem", "mmap", "filelock", "proc", "strfile" }

-- One open handle of each type, made fresh for each use; proc handles run
-- a child that sleeps until killed.
local makers = {
  strfile = function() return assert(strfile.open("abc\n")) end,
  mmap = function() return assert(mmap.open(H.tmpfile("abc\n"), "rw")) end,
  shm = function() return assert(shm.create(H.shm_name(), 16)) end,
  sem = function() return assert(sem.create(H.sem_name())) end,
  proc = function() return assert(proc.spawn({ "sleep", "30" })) end,
}
local KINDS = { "strfile", "mmap", "shm", "sem", "proc" }

describe("ipc", function()
  after_each(H.cleanup)

  describe("layout and loading", function()
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
      assert.same({ "luaopen_ipc", "luaopen_ipc_filelock", "luaopen_ipc_loop",
        "luaopen_ipc_mmap", "luaopen_ipc_proc", "luaopen_ipc_sem",
        "luaopen_ipc_shm", "luaopen_ipc_strfile" }, found)
    end)

    it("the module does not need the C++ library (Linux)", function()
      -- core/alloc.hpp: nothing of libstdc++ is used, and the link records
      -- only what is (--as-needed), so requiring a module loads no C++
      -- runtime.
      if H.needs("os", "linux") then return end
      local p = io.popen("readelf -d " .. H.BUILD .. "/ipc.so")
      local needed = {}
      for line in p:lines() do
        needed[#needed + 1] = line:match("%(NEEDED%).-%[(.-)%]")
      end
      p:close()
      assert.is_true(#needed > 0)
      for _, lib in ipairs(needed) do
        assert.is_nil(lib:match("^libstdc%+%+"), lib)
      end
    end)

    it("all six modules load through the all-in-one loader", function()
      for _, m in ipairs(MODULES) do
        local cmd = ("LUA_CPATH='./%s/?.so' LUA_PATH='' lua5.4 -e "
          .. "'assert(type(require \"ipc.%s\") == \"table\")'"):format(H.BUILD, m)
        assert.same({ true, "exit", 0 }, { os.execute(cmd) }, m)
      end
    end)

    it("require 'ipc' returns a table of all seven modules and the platform", function()
      assert.equal("table", type(ipc))
      local modules = { loop = true }
      for _, m in ipairs(MODULES) do modules[m] = true end
      for _, m in ipairs(MODULES) do
        assert.equal("table", type(ipc[m]), m)
        assert.equal(require("ipc." .. m), ipc[m], m)
      end
      assert.equal(require("ipc.loop"), ipc.loop)
      assert.equal("table", type(ipc.platform))
      for k in pairs(ipc) do
        assert.is_true(modules[k] or k == "platform" or k == "_VERSION", k)
      end
    end)

    it("require 'ipc' first, then the modules, gives the same tables", function()
      assert.equal("ok\n", H.in_child [[
        local all = require "ipc"
        for _, m in ipairs { "shm", "sem", "mmap", "filelock", "proc", "strfile" } do
          assert(all[m] == require("ipc." .. m), m)
        end
        print("ok")
      ]])
    end)
  end)

  describe("conventions shared by every module", function()
    it("OS failures return nil, strerror text, positive errno", function()
      local _, enoent = io.open("/nonexistent/x")
      local text = enoent:match(": (.*)$")
      -- The message names the object, as io.open names its file.
      local name = H.shm_name()
      assert.equal(name .. ": " .. text, (H.assert_fail(2, shm.attach(name))))
      assert.equal("/nonexistent/x: " .. text, (H.assert_fail(2, mmap.open("/nonexistent/x"))))
      assert.equal("/nonexistent/x: " .. text, (H.assert_fail(2, proc.spawn({ "/nonexistent/x" }))))
      assert.equal("/nonexistent/x: " .. text, (H.assert_fail(2, proc.run({ "/nonexistent/x" }))))
      assert.equal(text, (H.assert_fail(2, shm.remove(H.shm_name()))):match(": (.*)$"))
      assert.equal(text, (H.assert_fail(2, sem.open(H.sem_name()))):match(": (.*)$"))
      assert.equal(text, (H.assert_fail(2, sem.remove(H.sem_name()))):match(": (.*)$"))
    end)

    it("success returns true where there is nothing better", function()
      local n = H.shm_name()
      local h = assert(shm.create(n, 8))
      local a = assert(shm.attach(n))
      assert.is_true(a:close())
      assert.is_true(h:close())
      assert.is_true(assert(mmap.open(H.tmpfile("x"))):close())
      h = assert(strfile.open("x"))
      assert.is_true(h:close())
      local p = assert(proc.spawn({ "sleep", "30" }, { stdin = true }))
      assert.is_true(p:write("x"))
      assert.is_true(p:kill("kill"))
      p:wait()
      assert.is_true(p:close())
      local sn = H.sem_name()
      local s = assert(sem.create(sn))
      assert.is_true(s:inc())
      assert.is_true(s:dec())
      assert.is_true(assert(sem.open(sn)):close())
      assert.is_true(s:close())
      local f = assert(io.open(H.tmpfile("data"), "r+"))
      assert.is_true(filelock.lock(f, "w"))
      assert.is_true(filelock.unlock(f))
      assert.is_true(filelock.trylock(f, "r"))
      assert.is_true(filelock.unlock(f))
      f:close()
    end)

    it("misuse raises an error naming the function and the argument", function()
      local function argerror(n, fname, f, ...)
        local err = H.raises("bad argument #" .. n, f, ...)
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
      local s = assert(sem.create(H.sem_name()))
      argerror(1, "dec", function() return s:dec("soon") end)
      s:close()
      argerror(1, "lock", filelock.lock, "not a file", "w")
      argerror(1, "trylock", filelock.trylock, {}, "w")
      argerror(1, "unlock", filelock.unlock, 42)
      local f = assert(io.open(H.tmpfile("data"), "r+"))
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
        H.raises("attempt to use a closed handle", h.close, h)
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
          H.raises("attempt to use a closed handle", h[name], h)
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
        H.readfile("test/helpers/odd_calls.lua") .. "\n")
      assert(ok, ("child failed (%s %s):\n%s%s"):format(what, code, out, err))
      assert.equal("calls\ttrue\n", out)
    end)

    it("negative sizes raise", function()
      H.raises("bad argument #2", shm.create, H.shm_name(), -1)
      H.raises("bad argument #4", mmap.open, H.tmpfile("abc"), "r", 0, -1)
      H.raises("bad argument #3", mmap.open, H.tmpfile("abc"), "r", -1)
      H.raises("bad argument #2", sem.create, H.sem_name(), -1)
      H.raises("bad argument #2", sem.open, H.sem_name(), -1)
      local f = assert(io.open(H.tmpfile("abc"), "r+"))
      H.raises("bad argument #4", filelock.lock, f, "w", 0, -1)
      H.raises("bad argument #3", filelock.trylock, f, "w", -1)
      H.raises("bad argument #3", filelock.unlock, f, 0, -1)
      f:close()
      local h = strfile.open("abc")
      H.raises("bad argument #1", function() return h:truncate(-1) end)
      H.raises("bad argument #2", proc.spawn, { "true" }, { timeout = -1 })
    end)

    it("__gc closes: the creator's shm and sem names go, the child dies", function()
      local sn, n = H.sem_name(), H.shm_name()
      local hold = { shm = assert(shm.create(n, 8)),
        proc = assert(proc.spawn({ "sleep", "30" })) }
      hold.sem = assert(sem.create(sn))
      local pid = hold.proc:pid()
      hold = nil
      collectgarbage()
      collectgarbage()
      H.assert_fail(2, shm.attach(n))
      H.assert_fail(2, sem.open(sn))
      assert.is_false(H.alive(pid))
      assert.equal(0, H.zombies())
    end)

    it("a spawned child inherits no descriptor of any handle", function()
      local out = H.in_child([[
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
      ]], H.shm_name())
      assert.equal("same\n", out)
    end)

    it("shm names: empty, '/', too long return nil, message, code", function()
      for _, bad in ipairs { "", "/", "a/b", string.rep("n", 300) } do
        H.assert_fail(nil, shm.create(bad, 8))
        H.assert_fail(nil, shm.attach(bad))
        H.assert_fail(nil, shm.remove(bad))
      end
    end)

    it("sem names: empty, '/', too long return nil, message, code", function()
      for _, bad in ipairs { "", "/", "a/b", string.rep("n", 300) } do
        H.assert_fail(nil, sem.create(bad))
        H.assert_fail(nil, sem.open(bad, 1))
        H.assert_fail(nil, sem.open(bad))
        H.assert_fail(nil, sem.remove(bad))
      end
    end)
  end)

  describe("the file-like handles", function()
    -- Runs `calls` (a list of {method, args...}) on a real Lua file and on
    -- each file-like handle holding `bytes`; every result must be equal.
    local function same_as_io(bytes, calls)
      local path = H.tmpfile(bytes)
      local real = assert(io.open(path, "rb"))
      local handles = { strfile = strfile.open(bytes) }
      if #bytes > 0 then
        handles.mmap = assert(mmap.open(path))
        local s = assert(shm.create(H.shm_name(), #bytes))
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
      local n = H.shm_name()
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
      H.assert_fail(nil, strfile.open("abc"):write("x"))
      local p = H.tmpfile("abc")
      local h = assert(mmap.open(p, "r"))
      H.assert_fail(nil, h:write("x"))
      h:close()
      h = assert(mmap.open(p)) -- the default mode is "r"
      H.assert_fail(nil, h:write("x"))
      h:close()
    end)

    it("write returns the handle and formats numbers as io.write", function()
      local values = { 1, -7, 0.5, 1 / 3, 1e100, -0.0, 2^63, math.mininteger,
        3.0, 100 // 1, 1e15, 123456789012 }
      local ref = H.tmpfile()
      local f = assert(io.open(ref, "wb"))
      f:write(table.unpack(values))
      f:close()
      local want = H.readfile(ref)
      local h = assert(shm.create(H.shm_name(), #want))
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

  end)
end)
