local filelock = require "ipc.filelock"
local sem = require "ipc.sem"

local EBADF = H.E.EBADF

-- POSIX record locks of one owner merge, split and convert (a shared lock
-- becomes exclusive in place, one unlock ends overlapping locks); Windows'
-- LockFileEx locks never do: each lock needs its own unlock, and a handle
-- asking for an exclusive range it holds shared waits for itself.
local merges = H.CAN.posix_lock_rules

local path, names, files

-- Binary mode: Windows' C runtime misplaces a text-mode stream whose file
-- has LF line ends when it drops the read-ahead (ftell counts a CR per LF).
local function open(mode)
  local f = assert(io.open(path, (mode or "r+") .. "b"))
  files[#files + 1] = f
  return f
end

local function semaphore()
  local n = H.uniq("locktest")
  names[#names + 1] = n
  return assert(sem.create(n)), n
end

-- What trylock returns in a fresh process.
local function child_trylock(mode, offset, nbytes)
  local p = io.popen(H.command("lock_try", path, mode, offset or 0,
    nbytes or 0))
  local out = p:read("a")
  assert(p:close(), out)
  return out:match("^(%S+)")
end

-- Starts a child that holds a lock until it is let go; with `data` it
-- writes that at offset 0 a moment after being let go, then unlocks.
-- Returns release() (let go and wait for the child's end) and let_go().
local function hold(mode, offset, nbytes, data)
  local locked, ln = semaphore()
  local release, rn = semaphore()
  local p = io.popen(H.command("lock_holder", path, mode, offset or 0,
    nbytes or 0, ln, rn, data), "r")
  assert.is_true(locked:dec(30))
  local let_go = function() release:inc() end
  return function()
    let_go()
    local out = p:read("a")
    assert(p:close(), out)
  end, let_go
end

describe("ipc.filelock", function()
  before_each(function()
    path = H.tmpname()
    H.writefile(path, ("0123456789\n"):rep(10))
    names, files = {}, {}
  end)
  after_each(function()
    for _, f in ipairs(files) do
      if io.type(f) == "file" then f:close() end
    end
    for _, n in ipairs(names) do sem.remove(n) end
    os.remove(path)
  end)

  it("an exclusive lock excludes other processes", function()
    local f = open()
    assert.is_true(filelock.lock(f, "w"))
    assert.equal("false", child_trylock("r"))
    assert.equal("false", child_trylock("w"))
    assert.equal("false", child_trylock("rw", 50, 1))
    assert.is_true(filelock.unlock(f))
    assert.equal("true", child_trylock("w"))
  end)

  it("shared locks coexist and exclude exclusive ones", function()
    local release = hold("r")
    local f = open("r")
    assert.is_true(filelock.trylock(f, "r"))
    assert.is_true(filelock.lock(f, "r"))
    local g = open()
    assert.is_false(filelock.trylock(g, "w"))
    assert.is_true(filelock.unlock(f))
    if not merges then assert.is_true(filelock.unlock(f)) end -- the second lock
    release()
    assert.is_true(filelock.trylock(g, "w"))
  end)

  it("disjoint ranges do not conflict", function()
    local release = hold("w", 0, 10)
    local f = open()
    assert.is_true(filelock.trylock(f, "w", 10, 10))
    assert.is_false(filelock.trylock(f, "w", 5, 10))
    assert.is_false(filelock.trylock(f, "r", 9, 1))
    assert.is_false(filelock.trylock(f, "w")) -- whole file overlaps
    release()
    if not merges then assert.is_true(filelock.unlock(f, 10, 10)) end
    assert.is_true(filelock.trylock(f, "w"))
  end)

  it("nbytes 0 means to the end of file and beyond", function()
    local release = hold("w", 100, 0)
    local f = open()
    assert.is_true(filelock.trylock(f, "w", 0, 100))
    assert.is_false(filelock.trylock(f, "w", 1000000, 1))
    assert.is_false(filelock.trylock(f, "w", 2 ^ 40, 1))
    release()
  end)

  it("takes 64-bit offsets", function()
    local f = open()
    assert.is_true(filelock.lock(f, "w", 2 ^ 40, 4096))
    assert.equal("false", child_trylock("w", 2 ^ 40 + 100, 1))
    assert.equal("true", child_trylock("w", 2 ^ 40 - 1, 1))
    assert.is_true(filelock.unlock(f, 2 ^ 40, 4096))
    assert.equal("true", child_trylock("w", 2 ^ 40 + 100, 1))
  end)

  it("a blocking lock waits until the other process unlocks", function()
    local wait_end, let_go = hold("w", 0, 0, "written by the holder")
    local f = open()
    assert.is_false(filelock.trylock(f, "r"))
    -- The holder writes 0.3 s after being let go, then unlocks: a lock
    -- that did not wait would read the old content.
    local t0 = H.now()
    let_go()
    assert.is_true(filelock.lock(f, "r"))
    assert.is_true(H.now() - t0 >= 0.29)
    assert.equal("written by the holder", f:read(21))
    wait_end()
  end)

  it("trylock returns false while another process holds the range", function()
    local release = hold("w", 0, 0)
    local f = open()
    local r, msg = filelock.trylock(f, "w")
    assert.is_false(r)
    assert.is_nil(msg)
    release()
  end)

  it("two handles of one file in one process exclude each other", function()
    if H.lacks("ofd_locks") then return end
    local f, g = open(), open()
    assert.is_true(filelock.lock(f, "w"))
    assert.is_false(filelock.trylock(g, "w"))
    assert.is_false(filelock.trylock(g, "r"))
    assert.is_true(filelock.unlock(f))
    assert.is_true(filelock.trylock(g, "r"))
    assert.is_true(filelock.trylock(f, "r"))
    assert.is_false(filelock.trylock(f, "w")) -- g still shares the file
  end)

  it("closing an unrelated handle of the file keeps the lock", function()
    if H.lacks("ofd_locks") then return end
    local f = open()
    assert.is_true(filelock.lock(f, "w"))
    local other = open("r")
    other:close()
    assert.equal("false", child_trylock("w"))
    f:close() -- closing the locking handle itself releases the lock
    assert.equal("true", child_trylock("w"))
  end)

  it("discards the read buffer after locking", function()
    H.writefile(path, "first line\nsecond line\n")
    local f = open()
    assert.equal("first line", f:read("l")) -- stdio buffered everything
    local p = io.popen(H.command("lock_rewrite", path, "first line\\nSECOND LINE\\n"))
    assert(p:close())
    assert.is_true(filelock.lock(f, "r"))
    assert.equal("SECOND LINE", f:read("l"))
    assert.is_nil(f:read("l"))
    assert.is_true(filelock.unlock(f))
    -- Data appended after we saw the end of file is seen too.
    p = io.popen(H.command("lock_rewrite", path,
      "first line\\nSECOND LINE\\nthird line\\n"))
    assert(p:close())
    assert.is_true(filelock.lock(f, "r"))
    assert.equal("third line", f:read("l"))
  end)

  it("flushes buffered writes before unlocking", function()
    local f = open("w")
    assert.is_true(filelock.lock(f, "w"))
    f:write("buffered")
    assert.equal("", H.readfile(path))
    assert.is_true(filelock.unlock(f))
    assert.equal("buffered", H.readfile(path))
  end)

  it("works on read-only and write-only files where the OS allows", function()
    -- POSIX wants a readable file for a shared lock, a writable one for an
    -- exclusive lock; Windows locks any handle.
    if H.lacks("posix_lock_rules") then return end
    local r = open("r")
    local ok, msg, code = filelock.lock(r, "w")
    assert.is_nil(ok)
    assert.is_string(msg)
    assert.equal(EBADF, code)
    assert.is_true(filelock.lock(r, "r"))
    r:close()
    local w = open("a")
    assert.is_nil((filelock.trylock(w, "r")))
    assert.is_true(filelock.trylock(w, "w", 200, 1))
  end)

  it("raises on misuse", function()
    local f = open()
    assert.has_error(function() filelock.lock(f) end)
    assert.has_error(function() filelock.lock(f, "x") end)
    assert.has_error(function() filelock.trylock(f, "r", -1) end)
    assert.has_error(function() filelock.lock(f, "r", 0, -1) end)
    assert.has_error(function() filelock.unlock(f, -1) end)
    assert.has_error(function() filelock.unlock(f, 0, -5) end)
    assert.has_error(function() filelock.lock(f, "r", 1.5) end)
    assert.has_error(function() filelock.lock("path", "r") end)
    assert.has_error(function() filelock.lock(nil, "r") end)
    assert.has_error(function() filelock.unlock({}) end)
    f:close()
    for _, call in ipairs {
      function() return filelock.lock(f, "r") end,
      function() return filelock.trylock(f, "w") end,
      function() return filelock.unlock(f) end,
    } do
      local ok, err = pcall(call)
      assert.is_false(ok)
      assert.matches("bad argument #1 to '[%w.]*lock' %(attempt to use a closed file%)", err)
    end
  end)
end)

-- The promises of docs/contract.md, "ipc.filelock", one test each, written from
-- the contract alone; where the contract is ambiguous the reading tested
-- is said in the test.
describe("ipc.filelock: each documented promise", function()
  after_each(H.cleanup)
  local now = H.now

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
    return H.in_child(TRY, path, mode, tostring(offset or 0), tostring(nbytes or 0))
  end

  it("an exclusive lock makes another process's trylock return false", function()
    local p = H.tmpfile("0123456789")
    local f = assert(io.open(p, "r+"))
    assert.is_true(filelock.lock(f, "w"))
    assert.equal("1\tfalse\n", child_try(p, "r"))
    assert.equal("1\tfalse\n", child_try(p, "w"))
    assert.is_true(filelock.unlock(f))
    assert.equal("1\ttrue\n", child_try(p, "w"))
    f:close()
  end)

  it("'r' is shared, 'rw' exclusive", function()
    local p = H.tmpfile("0123456789")
    local f = assert(io.open(p, "r+"))
    assert.is_true(filelock.lock(f, "r"))
    assert.equal("1\ttrue\n", child_try(p, "r"))
    assert.equal("1\tfalse\n", child_try(p, "w"))
    if not merges then assert.is_true(filelock.unlock(f)) end -- no conversion
    assert.is_true(filelock.lock(f, "rw"))
    assert.equal("1\tfalse\n", child_try(p, "r"))
    f:close()
  end)

  it("ranges: offset and nbytes; 0 means to the end of file and beyond", function()
    local p = H.tmpfile("0123456789")
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
    if H.lacks("ofd_locks") then return end
    local p = H.tmpfile("data")
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
    if H.lacks("ofd_locks") then return end
    local p = H.tmpfile("data")
    local a = assert(io.open(p, "r+"))
    assert.is_true(filelock.lock(a, "w"))
    local other = assert(io.open(p, "r"))
    other:close()
    assert.equal("1\tfalse\n", child_try(p, "w"))
    a:close()
    assert.equal("1\ttrue\n", child_try(p, "w"))
  end)

  it("a blocking lock waits until the holder unlocks", function()
    local p = H.tmpfile("data")
    local c = H.hold_lock_briefly(p)
    local f = assert(io.open(p, "r+"))
    assert.is_false(filelock.trylock(f, "w"))
    local t0 = now()
    assert.is_true(filelock.lock(f, "w"))
    assert.is_true(now() - t0 >= 0.1)
    f:close()
    assert(c.wait())
  end)

  it("after a lock the read buffer is discarded: reads see other writers", function()
    local p = H.tmpfile(string.rep("a", 100))
    local f = assert(io.open(p, "rb"))
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
