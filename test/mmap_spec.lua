local mmap = require "ipc.mmap"

local CHILD = H.readfile("test/helpers/memfile_child.lua")
local PAGE = mmap.pagesize

describe("ipc.mmap", function()
  local path
  before_each(function() path = H.tmpname() end)
  after_each(function() os.remove(path) end)

  it("has a page size", function()
    assert.equal("integer", math.type(PAGE))
    assert.is_true(PAGE >= 4096 and PAGE & (PAGE - 1) == 0)
  end)

  it("sees what a child writes and flushes through the file", function()
    H.writefile(path, string.rep(".", 100))
    local h = assert(mmap.open(path))
    local ok, what, code, out, err = H.run_lua(CHILD, "mmap-write", path, "10", "child")
    assert(ok, ("child failed (%s %s): %s%s"):format(what, code, out, err))
    h:seek("set", 10)
    assert.equal("child", h:read(5))
    assert.equal(string.rep(".", 10) .. "child" .. string.rep(".", 85), H.readfile(path))
    assert.is_true(h:close())
  end)

  it("lets two processes map one file and see each other's writes", function()
    H.writefile(path, string.rep("-", 3 * PAGE))
    local h = assert(mmap.open(path, "rw"))
    local c = H.spawn_lua(CHILD, "mmap-pingpong", path)
    local seen = false
    for _ = 1, 1000 do
      h:seek("set", 0)
      if h:read(1) == "C" then seen = true break end
      H.sleep(0.01)
    end
    assert.is_true(seen, "the child's write did not arrive")
    h:seek("set", 1)
    h:write("P")
    local ok, _, code, out, err = c.wait()
    assert(ok, ("child failed (%s): %s%s"):format(code, out, err))
    assert.equal("done\n", out)
    h:seek("set", 0)
    assert.equal("CPD-", h:read(4))
    h:close()
  end)

  it("writes through a 'w' handle and flushes to the file", function()
    H.writefile(path, "0123456789")
    local h = assert(mmap.open(path, "w"))
    assert.equal(h, h:write("ab", 7, 2.5))
    assert.equal(h, h:write(1.0, -0.0))
    -- "1e+100" does not fit: its first byte is written.
    assert.same({ nil, "not enough space", H.E.ENOSPC }, { h:write(1e100, "more") })
    assert.equal(10, h:seek())
    assert.is_true(h:flush())
    h:close()
    assert.equal("ab72.51-01", H.readfile(path))
    h = assert(mmap.open(path, "rw"))
    local ok, msg, code = h:write("0123456789", "abc", 5)
    assert.is_nil(ok)
    assert.equal("not enough space", msg)
    assert.equal(H.E.ENOSPC, code)
    assert.equal(10, h:size())
    h:close()
    assert.equal("0123456789", H.readfile(path))
  end)

  it("formats numbers like io.write", function()
    local values = { 1, -1, 0, 1.0, -0.0, 0.1, 1 / 3, 2^53, 2^63, 1e300,
      math.maxinteger, math.mininteger, math.huge, -math.huge, 3.14159265358979,
      0 / 0, -(0 / 0) }
    local ref = H.tmpname()
    local f = assert(io.open(ref, "wb"))
    f:write(table.unpack(values))
    f:close()
    local want = H.readfile(ref)
    os.remove(ref)
    H.writefile(path, string.rep(" ", #want))
    local h = assert(mmap.open(path, "rw"))
    assert.equal(h, h:write(table.unpack(values)))
    h:seek("set", 0)
    assert.equal(want, h:read("a"))
    h:close()
  end)

  it("reads a 'w' handle like a Lua file opened 'w'", function()
    if H.lacks("posix_stdio") then return end
    H.writefile(path, "some bytes\n12\n")
    local h = assert(mmap.open(path, "w"))
    local scratch = H.tmpname()
    local f = assert(io.open(scratch, "w"))
    local function same(...)
      local want = table.pack(pcall(f.read, f, ...))
      local got = table.pack(pcall(h.read, h, ...))
      assert.same(want, got)
    end
    same()
    same("l")
    same("a")
    same("n")
    same(0)
    same(5)
    same("a", "l", 3)
    same("l", "x")
    same("a", "x")
    local ok, msg = pcall(function() for _ in h:lines() do end end)
    local ok2, msg2 = pcall(function() for _ in f:lines() do end end)
    assert.is_false(ok)
    assert.equal(ok2, ok)
    assert.equal(msg2:gsub("^.-:%d+: ", ""), (msg:gsub("^.-:%d+: ", "")))
    f:close()
    os.remove(scratch)
    h:close()
  end)

  it("refuses writes to an 'r' handle with nil, message, errno", function()
    H.writefile(path, "abc")
    local h = assert(mmap.open(path))
    assert.same({ nil, "Bad file descriptor", H.E.EBADF }, { h:write("x") })
    assert.same({ nil, "Bad file descriptor", H.E.EBADF }, { h:write(1) })
    assert.equal(h, h:write()) -- nothing to write is no failure, as in io
    assert.equal("abc", h:read("a"))
    h:close()
  end)

  it("maps at page offsets and with sizes inside the file", function()
    H.writefile(path, string.rep("a", PAGE) .. string.rep("b", PAGE) .. "tail")
    local h = assert(mmap.open(path, "r", PAGE))
    assert.equal(PAGE + 4, h:size())
    assert.equal("bbb", h:read(3))
    h:close()
    h = assert(mmap.open(path, "r", PAGE, 10))
    assert.equal(10, h:size())
    assert.equal(string.rep("b", 10), h:read("a"))
    h:close()
    h = assert(mmap.open(path, "r", 0, 2 * PAGE + 4)) -- exactly to the end
    assert.equal(2 * PAGE + 4, h:size())
    h:close()
    for _, args in ipairs {
      { "r", 1 }, { "r", PAGE - 1 }, { "r", 3 * PAGE }, { "r", 0, 2 * PAGE + 5 },
      { "r", PAGE, PAGE + 5 }, { "rw", 100 },
    } do
      local ok, msg, code = mmap.open(path, table.unpack(args))
      assert.is_nil(ok)
      assert.equal(path .. ": Invalid argument", msg)
      assert.equal(H.E.EINVAL, code)
    end
  end)

  it("refuses empty and missing files with nil, message, errno", function()
    H.writefile(path, "")
    local ok, msg, code = mmap.open(path)
    assert.is_nil(ok)
    assert.is_string(msg)
    assert.equal(H.E.EINVAL, code)
    ok, msg, code = mmap.open(path .. ".missing")
    assert.is_nil(ok)
    assert.equal(path .. ".missing: No such file or directory", msg)
    assert.equal(H.E.ENOENT, code)
    ok, _, code = mmap.open("/", "r")
    assert.is_nil(ok)
    assert.is_number(code)
    -- A FIFO without a writer fails at once instead of blocking.
    if H.lacks("posix_tools") then return end -- mkfifo
    os.remove(path)
    assert(os.execute("mkfifo " .. H.shquote(path)))
    ok, msg, code = mmap.open(path)
    assert.is_nil(ok)
    assert.equal(path .. ": Invalid argument", msg)
    assert.equal(H.E.EINVAL, code)
  end)

  it("truncates downwards only; size and addr report the mapping", function()
    H.writefile(path, "0123456789")
    local h = assert(mmap.open(path, "rw"))
    assert.equal(10, h:size())
    local a = h:addr()
    assert.equal("userdata", type(a))
    assert.is_not_nil(a)
    local ok, msg = h:truncate(11)
    assert.is_nil(ok)
    assert.equal("cannot grow beyond the mapped size", msg)
    assert.equal(10, h:size())
    h:seek("set", 8)
    assert.is_true(h:truncate(4))
    assert.equal(4, h:size())
    assert.equal(4, h:seek())
    assert.is_nil(h:read(1))
    assert.equal(4, h:seek("end"))
    h:seek("set", 2)
    local ok2, msg2, code2 = h:write("abc")
    assert.is_nil(ok2)
    assert.equal("not enough space", msg2)
    assert.equal(H.E.ENOSPC, code2)
    h:close()
    assert.equal("01ab456789", H.readfile(path)) -- the file keeps its length
  end)

  it("survives another process truncating the file under the mapping", function()
    if H.lacks("cut_mapped") then return end
    local out = H.in_child(([[
      local mmap = require "ipc.mmap"
      local P = mmap.pagesize
      local path = %q
      local f = assert(io.open(path, "wb"))
      f:write(string.rep("line\n", P)) -- five pages
      f:close()
      local h = assert(mmap.open(path, "rw"))
      assert(h:read("l") == "line")
      assert(os.execute("truncate -s " .. P + 10 .. " " .. path))
      local n = 0
      local ok, err = pcall(function() for l in h:lines() do n = n + 1 end end)
      print(ok, (err:gsub("^.-:%%d+: ", "")))
      print(n > 0, h:size() == 2 * P)
      h:seek("set", 0)
      local s, msg, code = h:read("a")
      print(#s == 2 * P, msg, code)
      assert(os.execute("truncate -s 0 " .. path))
      h:seek("set", 0)
      print(h:read(1, "l"))
      print(h:write("abc"))
      print(h:size(), h:seek())
      print(h:flush(), h:close())
      print(h)
    ]]):format(path))
    assert.equal("false\tBad address\ntrue\ttrue\ntrue\tnil\tnil\n"
      .. "nil\tBad address\t14\nnil\tnot enough space\t28\n0\t0\ntrue\ttrue\n"
      .. "ipc.mmap (closed)\n", out)
  end)

  it("gives the same bytes through large reads and writes", function()
    -- Reads of 4 MiB and more are allocated in huge pages, writes of 256 KiB
    -- and more fault their pages in first: neither may change a byte.
    local unit = {}
    for i = 1, 251 do unit[i] = string.char((i * 7) % 256) end
    unit = table.concat(unit)
    local data = unit:rep((12 << 20) // #unit + 1):sub(1, 12 << 20)
    H.writefile(path, data)
    local h = assert(mmap.open(path, "rw"))
    assert.is_true(h:read("a") == data)
    h:seek("set", 3)
    assert.is_true(h:read(9 << 20) == data:sub(4, 3 + (9 << 20)))
    local patch = ("\1\2\3"):rep(200000) -- 600,000 bytes at an odd offset
    assert(h:seek("set", 1001))
    assert.equal(h, h:write(patch))
    assert(h:flush())
    h:close()
    local expect = data:sub(1, 1001) .. patch .. data:sub(1002 + #patch)
    assert.is_true(H.readfile(path) == expect)
    H.writefile(path, ("y"):rep(5 << 20) .. "\nz\n") -- a 5 MiB line
    local lines = {}
    for l in assert(mmap.open(path)):lines("L") do lines[#lines + 1] = #l end
    assert.same({ (5 << 20) + 1, 2 }, lines)
  end)

  it("reports a large write into a file cut under the mapping", function()
    if H.lacks("cut_mapped") then return end
    local out = H.in_child(([[
      local mmap = require "ipc.mmap"
      local path = %q
      local f = assert(io.open(path, "wb"))
      f:write(("x"):rep(2 << 20))
      f:close()
      local h = assert(mmap.open(path, "rw"))
      assert(os.execute("truncate -s " .. mmap.pagesize .. " " .. path))
      print(h:write(("w"):rep(1 << 20)))
      print(h:size(), h:close())
    ]]):format(path))
    assert.equal(("nil\tBad address\t14\n%d\ttrue\n"):format(PAGE), out)
  end)

  it("reports a cut file when a finalizer reads another mapping mid-read", function()
    if H.lacks("cut_mapped") then return end
    -- The collector may run finalizers while a read pushes its string; one
    -- that reads another mapped handle must not erase the outer read's loss.
    local other = H.tmpname()
    finally(function() os.remove(other) end)
    local out = H.in_child(([[
      local mmap = require "ipc.mmap"
      local P = mmap.pagesize
      local f = assert(io.open(%q, "wb"))
      f:write(("a"):rep(5 * P))
      f:close()
      f = assert(io.open(%q, "wb"))
      f:write(("b"):rep(P))
      f:close()
      local o = assert(mmap.open(%q))
      local h = assert(mmap.open(%q))
      assert(os.execute("truncate -s " .. P + 10 .. " " .. %q))
      local in_read, during = false, 0
      collectgarbage("incremental", 0, 1000) -- finalizers at every step
      for _ = 1, 2000 do
        setmetatable({}, { __gc = function()
          if in_read then during = during + 1 end
          o:seek("set", 0)
          assert(#o:read("a") == P)
        end })
      end
      in_read = true
      local r = table.pack(h:read("a"))
      in_read = false
      print(during > 0, r[1], r[2], r[3])
    ]]):format(path, other, other, path, path))
    assert.equal("true\tnil\tBad address\t14\n", out)
  end)

  it("keeps a mapped file from being cut where the OS refuses that", function()
    if H.CAN.cut_mapped then
      return pending("mapped files can be cut here")
    end
    H.writefile(path, string.rep("x", 100))
    local h = assert(mmap.open(path, "rw"))
    -- Opening for writing truncates: Windows refuses it while mapped, so a
    -- mapping never loses its pages and needs no fault guard.
    assert.is_nil(io.open(path, "wb"))
    assert.equal(string.rep("x", 100), h:read("a"))
    h:close()
    local f = assert(io.open(path, "wb"))
    f:close()
  end)

  it("does not swallow a SIGBUS that is not about its mappings", function()
    if H.lacks("posix_tools") then return end -- kill -BUS
    local ok, what, code, out = H.run_lua [[
      require "ipc.mmap"
      require "ipc.shm"
      local pid = io.open("/proc/self/stat"):read("n")
      os.execute("kill -BUS " .. pid)
      print("survived")
    ]]
    assert.is_nil(ok, ("%s %s"):format(what, code))
    assert.equal("", out)
  end)
end)

-- The promises of docs/contract.md, "The file-like handles (strfile,
-- mmap, shm)", one test each, written from the contract alone; where the
-- contract is ambiguous the reading tested is said in the test.
describe("ipc.mmap: each documented promise", function()
  after_each(H.cleanup)

  it("pagesize is a positive integer", function()
    assert.equal("integer", math.type(mmap.pagesize))
    assert.is_true(mmap.pagesize > 0)
  end)

  it("modes r, w, rw; flush makes the bytes reach the file", function()
    local p = H.tmpfile("0123456789")
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
    local p = H.tmpfile(string.rep("a", P) .. "rest")
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
    H.assert_fail(nil, mmap.open(H.tmpfile("")))
    local p = H.tmpfile(string.rep("x", 2 * P))
    H.assert_fail(nil, mmap.open(p, "r", 1))
    H.assert_fail(nil, mmap.open(p, "r", P + 1))
    H.assert_fail(nil, mmap.open(p, "r", 0, 2 * P + 1))
    H.assert_fail(nil, mmap.open(p, "r", P, P + 1))
    H.assert_fail(nil, mmap.open(p, "r", 3 * P))
  end)
end)
