local shm = require "ipc.shm"

local CHILD = H.readfile("test/helpers/memfile_child.lua")

local function child(...)
  return H.in_child(CHILD, ...)
end

local function exists(name)
  local h = shm.attach(name)
  if h then h:close() end
  return h ~= nil
end

describe("ipc.shm", function()
  local name = H.shm_name
  after_each(H.cleanup)

  it("creates a segment that a child attaches, writes and the parent reads", function()
    local n = name()
    local h = assert(shm.create(n, 64))
    assert.equal(64, h:size())
    local seen = child("shm-write", n, "10", "from the child")
    if H.CAN.exact_shm_size then assert.equal("size\t64\n", seen) end
    h:seek("set", 10)
    assert.equal("from the child", h:read(14))
    h:seek("set", 0)
    assert.equal(string.rep("\0", 10), h:read(10)) -- a new segment is zeroed
    assert.is_true(h:close())
    assert.is_false(exists(n)) -- the creator's close removes the name
  end)

  it("shows the parent's writes to a child", function()
    local n = name()
    local h = assert(shm.create(n, 11))
    assert.equal(h, h:write("hello\n", 42, " ", 1.0))
    local seen = child("shm-read", n)
    -- Where an attach sees whole pages, the rest of the page is zeros.
    if not H.CAN.exact_shm_size then seen = seen:sub(1, 11) end
    assert.equal("hello\n42 1\0", seen)
    h:close()
  end)

  it("fails to create a name twice and to attach a missing name", function()
    local n = name()
    local h = assert(shm.create(n, 8))
    local ok, msg, code = shm.create(n, 8)
    assert.is_nil(ok)
    assert.equal(n .. ": " .. H.MSG.EEXIST, msg)
    assert.equal(H.E.EEXIST, code)
    h:close()
    ok, msg, code = shm.attach(n)
    assert.is_nil(ok)
    assert.equal(n .. ": " .. H.MSG.ENOENT, msg)
    assert.equal(H.E.ENOENT, code)
  end)

  it("returns nil, message, errno for invalid names", function()
    for _, bad in ipairs { "", "/", "a/b", "/abc", ".", ".." } do
      for _, f in ipairs {
        function() return shm.create(bad, 8) end,
        function() return shm.attach(bad) end,
        function() return shm.remove(bad) end,
      } do
        local ok, msg, code = f()
        assert.is_nil(ok, ("%q"):format(bad))
        assert.equal(bad .. ": " .. H.MSG.EINVAL, msg)
        assert.equal(H.E.EINVAL, code)
      end
    end
    local long = string.rep("n", 256)
    local ok, msg, code = shm.create(long, 8)
    assert.is_nil(ok)
    assert.equal(long .. ": " .. H.MSG.ENAMETOOLONG, msg)
    assert.equal(H.E.ENAMETOOLONG, code)
    ok, _, code = shm.attach(long)
    assert.is_nil(ok)
    assert.equal(H.E.ENAMETOOLONG, code)
    -- The longest name the OS allows works (255 bytes on Linux).
    local len = H.platform.shm_name_max
    local max = string.rep("m", len - 5 - #tostring(H.pid())) .. H.pid() .. "xxxxx"
    assert.equal(len, #max)
    H.shm_name(max)
    local h = assert(shm.create(max, 8))
    assert.is_true(h:close())
  end)

  it("keeps an attached handle working after the creator closed", function()
    local n = name()
    local creator = assert(shm.create(n, 16))
    local other = assert(shm.attach(n))
    assert.equal(H.CAN.exact_shm_size and 16 or H.pagesize(), other:size())
    creator:write("shared")
    assert.is_true(creator:close())
    -- A name that outlives its handles is removed; one that goes with its
    -- last handle (Windows) is still there for `other`.
    assert.equal(not H.platform.persistent_names, exists(n))
    assert.equal("shared", other:read(6))
    assert.equal(other, other:write("!"))
    other:seek("set", 0)
    assert.equal("shared!", other:read(7))
    assert.is_true(other:close()) -- an attached close does not unlink
  end)

  it("the creator's close after shm.remove returns true", function()
    if H.lacks("persistent_names") then return end
    local n = name()
    local h = assert(shm.create(n, 8))
    assert.is_true(shm.remove(n))
    assert.is_true(h:close()) -- the name is gone: nothing left to remove
  end)

  it("the creator's close leaves a successor of the name alone", function()
    if H.lacks("persistent_names") then return end
    local n = name()
    local old = assert(shm.create(n, 8))
    assert.is_true(shm.remove(n))
    -- Another process creates a new segment under the same name and exits
    -- without closing it (os.exit skips the finalizers).
    local ok, _, _, out, err = H.run_lua(
      [[assert(require("ipc.shm").create(..., 16)) os.exit(0)]], n)
    assert(ok, out .. err)
    assert.is_true(old:close())
    local h = assert(shm.attach(n))
    assert.equal(16, h:size())
    h:close()
    assert.is_true(shm.remove(n))
  end)

  it("is removed when a creating child exits normally, kept if it crashes", function()
    if H.lacks("persistent_names") then return end
    local n = name()
    child("shm-create", n, "32", "bye", "exit")
    assert.is_false(exists(n))
    child("shm-create", n, "32", "left", "crash")
    local h = assert(shm.attach(n))
    assert.equal("left", h:read(4))
    h:close()
    assert.is_true(shm.remove(n))
    assert.is_false(exists(n))
    local ok, msg, code = shm.remove(n)
    assert.is_nil(ok)
    assert.equal(n .. ": " .. H.MSG.ENOENT, msg)
    assert.equal(H.E.ENOENT, code)
  end)

  it("names go with their last handle where they do not persist", function()
    if H.platform.persistent_names then
      return pending("names persist here")
    end
    local n = name()
    local h = assert(shm.create(n, 8))
    H.assert_fail(H.E.EBUSY, shm.remove(n)) -- held: the name is not free
    assert.is_true(h:close())
    assert.is_true(shm.remove(n)) -- free
    assert.is_false(exists(n))
    child("shm-create", n, "32", "left", "crash")
    assert.is_false(exists(n)) -- gone with the crashed creator
  end)

  it("refuses a zero size and accepts a mode", function()
    local ok, msg, code = shm.create(name(), 0)
    assert.is_nil(ok)
    assert.equal(H.MSG.EINVAL, msg:match(": (.*)$"))
    assert.equal(H.E.EINVAL, code)
    local n = name()
    local h = assert(shm.create(n, 4, 384)) -- 0600
    h:close()
    if H.lacks("posix_tools") then return end -- stat of /dev/shm
    n = name()
    h = assert(shm.create(n, 4, tonumber("644", 8)))
    local f = io.popen("stat -c %a /dev/shm/" .. n)
    local mode = f:read("l")
    f:close()
    h:close()
    assert.equal("644", mode)
  end)

  it("writes what fits, never grows, and truncates only downwards", function()
    local n = name()
    local h = assert(shm.create(n, 8))
    h:seek("set", 5)
    local ok, msg, code = h:write("abcdef")
    assert.is_nil(ok)
    assert.equal("not enough space", msg)
    assert.equal(H.E.ENOSPC, code)
    assert.equal(8, h:seek())
    assert.equal(8, h:size())
    h:seek("set", 0)
    assert.equal("\0\0\0\0\0abc", h:read("a"))
    ok, msg = h:truncate(9)
    assert.is_nil(ok)
    assert.is_string(msg)
    assert.equal(8, h:size())
    assert.is_true(h:truncate(6))
    assert.equal(6, h:size())
    assert.equal(6, h:seek()) -- the position follows the shrink
    assert.is_nil(h:read(1))
    h:seek("set", 0)
    assert.equal("\0\0\0\0\0a", h:read("a"))
    h:close()
  end)

  it("survives a child truncating the segment under the mapping", function()
    if H.lacks("cut_mapped") then return end
    local n = name()
    local out = H.in_child(([[
      local shm = require "ipc.shm"
      local pagesize = require("ipc.mmap").pagesize
      local h = assert(shm.create(%q, 4 * pagesize))
      assert(h:write(string.rep("x", 4 * pagesize)))
      assert(os.execute("lua5.4 test/helpers/memfile_child.lua shm-shrink %s 100"))
      h:seek("set", 0)
      local ok, msg, code = h:read("a")
      print(ok, msg, code)
      print(h:size() == pagesize)
      h:seek("set", 0)
      print(h:read("a") == string.rep("x", 100) .. string.rep("\0", pagesize - 100))
      h:seek("set", 0)
      print(h:write(string.rep("y", 2 * pagesize)))
      print(h:close())
    ]]):format(n, n))
    assert.equal("nil\tBad address\t14\ntrue\ntrue\nnil\tnot enough space\t28\ntrue\n", out)
  end)
end)

-- The promises of docs/contract.md, "The file-like handles (strfile,
-- mmap, shm)", one test each, written from the contract alone; where the
-- contract is ambiguous the reading tested is said in the test.
describe("ipc.shm: each documented promise", function()
  after_each(H.cleanup)

  it("create fails if the name exists; attach maps the full size", function()
    local n = H.shm_name()
    local h = assert(shm.create(n, 100))
    H.assert_fail(H.E.EEXIST, shm.create(n, 100))
    H.assert_fail(H.E.EEXIST, shm.create(n, 5))
    local a = assert(shm.attach(n))
    -- Windows gives an attach the whole pages the segment spans.
    assert.equal(H.CAN.exact_shm_size and 100 or H.pagesize(), a:size())
    h:write("shared")
    assert.equal("shared", a:read(6))
    a:close()
    h:close()
  end)

  it("the creator's close removes the name; attached handles keep working", function()
    if H.lacks("persistent_names") then return end
    local n = H.shm_name()
    local h = assert(shm.create(n, 10))
    local out = H.in_child([[
      local shm = require "ipc.shm"
      local a = assert(shm.attach(...))
      a:write("child")
      a:close()
    ]], n)
    assert.equal("", out)
    local a = assert(shm.attach(n))
    assert.is_true(h:close())
    H.assert_fail(H.E.ENOENT, shm.attach(n))
    assert.equal("child", a:read(5))
    assert.equal(a, a:write("!"))
    assert.is_true(a:close())
  end)

  it("an attacher's close keeps the name", function()
    local n = H.shm_name()
    local h = assert(shm.create(n, 10))
    assert.is_true(assert(shm.attach(n)):close())
    assert.is_true(assert(shm.attach(n)):close())
    h:close()
  end)

  it("remove removes a name left behind by a crashed creator", function()
    if H.lacks("persistent_names") then return end
    local n = H.shm_name()
    local ok, what = H.run_lua([[
      local h = assert(require("ipc.shm").create(..., 10))
      os.exit(3, false)
    ]], n)
    assert.is_nil(ok)
    assert.equal("exit", what)
    assert.is_true(assert(shm.attach(n)):close())
    assert.is_true(shm.remove(n))
    H.assert_fail(H.E.ENOENT, shm.attach(n))
    H.assert_fail(H.E.ENOENT, shm.remove(n))
  end)
end)
