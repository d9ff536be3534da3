-- ipc.proc's pulled streams: h:stdout()/h:stderr() of a pipe without a
-- callback, read on demand like a Lua file (the formats themselves are
-- compared with io in test/cross/proc_stream_diff_spec.lua).
local proc = require "ipc.proc"

-- A child Lua running `code` (a child's stdout is in text mode on
-- Windows: the specs read "\n" as Wine's lua.exe writes it to a pipe).
local lua = H.lua_argv
local lf = H.lf

-- A child that writes the file `path` in the pieces it is told (see
-- test/helpers/proc_chunks.lua).
local function chunked(path)
  return assert(proc.spawn({ H.LUA, "test/helpers/proc_chunks.lua", path },
    { stdin = true, stdout = true, stderr = true }))
end

-- Tells a chunked child to write `n` more bytes (or the rest) and returns
-- once they are in the pipe.
local function piece(h, n)
  assert(h:write(tostring(n) .. "\n"))
  assert.equal("ack", h:stderr():read("l"))
end

-- The state letter and current system call of process `pid`.
local function blocked_in_write(pid)
  local stat = H.readfile("/proc/" .. pid .. "/stat")
  local state = stat:match("%) (%a)")
  local sc = H.readfile("/proc/" .. pid .. "/syscall"):match("^(%S+)")
  return state, sc == "1"  -- write(2) on x86_64
end

describe("ipc.proc pulled streams", function()
  H.check_process_leaks(proc)
  after_each(H.cleanup)

  it("are one object per pipe, file-like, and only for pulled pipes", function()
    local h = assert(proc.spawn(lua("io.write('out\\n'); io.stderr:write('err\\n')"),
      { stdout = true, stderr = true }))
    local s = h:stdout()
    assert.equal(s, h:stdout())
    assert.not_equal(s, h:stderr())
    assert.matches("^ipc%.proc%.stream %(0x%x+%)$", tostring(s))
    assert.equal("out", h:read("l"))
    assert.equal("err\n", lf(h:stderr():read("a")))
    assert.same({ true, "exit", 0 }, { h:wait() })
    h:close()
    assert.equal("ipc.proc.stream (closed)", tostring(s))
    H.raises("closed", s.read, s)

    local cb = assert(proc.spawn(lua(""), { stdout = true, callback = function() end }))
    H.raises("not a pulled pipe", cb.stdout, cb)
    H.raises("not a pulled pipe", cb.read, cb)
    H.raises("not a pulled pipe", cb.stderr, cb)
    cb:wait()
    cb:close()
    local plain = assert(proc.spawn(lua(""), { stdin = true }))
    H.raises("not a pulled pipe", plain.stdout, plain)
    H.raises("not a pulled pipe", plain.lines, plain)
    plain:write(proc.EOF)
    plain:wait()
    plain:close()
  end)

  it("read every format of a Lua file, with or without *", function()
    local h = assert(proc.spawn(lua("io.write('12 0x1F\\nsecond\\n\\nrest of it')"),
      { stdout = true }))
    local s = h:stdout()
    assert.same({ 12, 31 }, { s:read("n", "*n") })
    assert.equal("\n", s:read("L"))
    assert.same({ "second", "", "re" }, { s:read("*l", "l", 2) })
    assert.equal("", s:read(0))
    assert.same({ "st of it" }, { s:read("a") })
    assert.same({ "" }, { s:read("a") })
    assert.is_nil(s:read(0))
    assert.is_nil(s:read("l"))
    assert.is_nil(s:read("n"))
    assert.same({ nil }, { s:read(5) })
    assert.same({ true, "exit", 0 }, { h:wait() })
    h:close()
  end)

  it("stop at the first format that fails, as a file does", function()
    local h = assert(proc.spawn(lua("io.write('7 x 8')"), { stdout = true }))
    local t = table.pack(h:read("n", "n", "l"))
    assert.equal(2, t.n)
    assert.equal(7, t[1])
    assert.is_nil(t[2])
    assert.equal("x 8", h:read("l"))  -- "n" took the blank only
    h:wait()
    h:close()
  end)

  it("raise on invalid formats before reading anything", function()
    local h = assert(proc.spawn(lua("print('abc')"), { stdout = true }))
    H.raises("invalid format", h.read, h, "x")
    H.raises("invalid count", h.read, h, -1)
    H.raises("string expected", h.read, h, "l", {})
    H.raises("invalid format", h.lines, h, "q")
    local many = {}
    for i = 1, 251 do many[i] = "l" end
    H.raises("too many arguments", h.lines, h, table.unpack(many))
    assert.equal("abc", h:read("l"))
    h:wait()
    h:close()
  end)

  it("iterate with lines(...) like file:lines", function()
    local h = assert(proc.spawn(lua("for i = 1, 5 do print(i) end"), { stdout = true }))
    local got = {}
    for a, b in h:stdout():lines("n", "n") do got[#got + 1] = a .. ":" .. tostring(b) end
    assert.same({ "1:2", "3:4", "5:nil" }, got)
    h:wait()
    h:close()
    h = assert(proc.spawn(lua("io.write('a\\nb\\n\\nc')"), { stdout = true }))
    got = {}
    for l in h:lines() do got[#got + 1] = l end
    assert.same({ "a", "b", "", "c" }, got)
    local s = h:stdout()
    h:wait()
    h:close()
    H.raises("closed", s.lines, s)
  end)

  it("wait when the pipe has too little, and read across its pieces", function()
    local path = H.tmpfile("first line\nsecond 42\n")
    local h = chunked(path)
    local s = h:stdout()
    piece(h, 5)  -- "first"
    s:settimeout(0)
    assert.same({ nil, "timeout", H.E.ETIMEDOUT }, { s:read("l") })
    assert.same({ "fir" }, { s:read(3) })
    assert.same({ nil, "timeout", H.E.ETIMEDOUT }, { s:read("l") })
    piece(h, 15)  -- " line\nsecond 4"
    assert.same({ "st line" }, { s:read("l") })
    assert.same({ "second", nil, "timeout", H.E.ETIMEDOUT }, { s:read(6, "n") })
    s:settimeout(nil)
    assert(h:write("rest\n", proc.EOF))
    assert.same({ 42, "\n" }, { s:read("n", "a") })
    assert.same({ true, "exit", 0 }, { h:wait() })
    h:close()
  end)

  it("settimeout takes nil, negatives and 0, and rejects NaN", function()
    local path = H.tmpfile("half")
    local h = chunked(path)
    local s = h:stdout()
    assert.is_true(s:settimeout(0))
    assert.same({ nil, "timeout", H.E.ETIMEDOUT }, { s:read("a") })
    piece(h, 2)
    assert.same({ nil, "timeout", H.E.ETIMEDOUT }, { s:read("l") })
    assert.same({ nil, "timeout", H.E.ETIMEDOUT }, { s:read(0 + 3) })
    assert.equal("", s:read(0))
    assert.is_true(s:settimeout(0.05))
    assert.same({ nil, "timeout", H.E.ETIMEDOUT }, { s:read("L") })
    H.raises("NaN", s.settimeout, s, 0 / 0)
    H.raises("number expected", s.settimeout, s, "soon")
    assert.is_true(s:settimeout(-1))
    assert(h:write("rest\n", proc.EOF))
    assert.equal("half", s:read("l"))  -- nothing was lost
    assert.is_true(s:settimeout())
    assert.is_nil(s:read("l"))
    h:wait()
    h:close()
  end)

  it("a timeout in a lines iterator raises", function()
    local path = H.tmpfile("one\ntwo")
    local h = chunked(path)
    piece(h, 4)
    local s = h:stdout()
    s:settimeout(0)
    local it = s:lines()
    assert.equal("one", it())
    H.raises("timeout", it)
    assert(h:write("rest\n", proc.EOF))
    s:settimeout(nil)
    assert.equal("two", it())
    assert.is_nil(it())
    h:wait()
    h:close()
  end)

  it("read nothing from the pipe before a read asks, nor more than it needs", function()
    if H.needs("proc_fs") then return end
    local h = assert(proc.spawn({ "head", "-c", "20000000", "/dev/zero" },
      { stdout = true }))
    assert.equal("\0", h:read(1))
    -- The loop runs while another child is waited for: the stream must
    -- not be read meanwhile.
    local other = assert(proc.spawn({ "sleep", "0.5" }))
    other:wait()
    other:close()
    -- head cannot finish: it blocks writing into the full pipe for ever.
    local state, writing
    for _ = 1, 1000 do
      state, writing = blocked_in_write(h:pid())
      if writing or state == "Z" then break end
      H.sleep(0.01)
    end
    assert.is_true(writing)
    assert.not_equal("Z", state)
    h:close()
  end)

  it("h:wait() reads them so that a child can finish, and keeps the bytes", function()
    local h = assert(proc.spawn(lua("io.write(string.rep('\\0', 1048576)); "
      .. "io.stderr:write(string.rep('\\0', 1048577))"), { stdout = true, stderr = true }))
    assert.same({ true, "exit", 0 }, { h:wait() })
    assert.equal(1048576, #h:read("a"))
    assert.equal(1048577, #h:stderr():read("a"))
    assert.is_nil(h:read(0))
    assert.same({ true, "exit", 0 }, { h:wait() })
    h:close()
  end)

  it("a wait that times out stops reading them again", function()
    local path = H.tmpfile("abc")
    local h = chunked(path)
    assert.is_false(h:wait(0))
    piece(h, 1)
    h:stdout():settimeout(0)
    assert.equal("a", h:read(1))
    assert(h:write("rest\n", proc.EOF))
    h:stdout():settimeout(nil)
    assert.equal("bc", h:read("a"))
    h:wait()
    h:close()
  end)

  it("s:close() stops reading: the child's next write breaks the pipe", function()
    if H.needs("signals") then return end
    local h = assert(proc.spawn({ "sh", "-c", "echo first; read x; echo second" },
      { stdin = true, stdout = true }))
    local s = h:stdout()
    assert.equal("first", s:read("l"))
    assert.is_true(s:close())
    assert.equal("ipc.proc.stream (closed)", tostring(s))
    H.raises("closed", s.read, s, "l")
    assert(h:write("go\n", proc.EOF))
    assert.same({ nil, "signal", 13 }, { h:wait() })
    h:close()
    -- With SIGPIPE ignored, the write fails with EPIPE.
    local err = H.tmpfile()
    local f = assert(io.open(err, "w"))
    h = assert(proc.spawn({ "sh", "-c",
      "trap '' PIPE; echo first; read x; echo second || echo failed >&2" },
      { stdin = true, stdout = true, stderr = f }))
    f:close()
    assert.equal("first", h:read("l"))
    h:stdout():close()
    assert(h:write("go\n", proc.EOF))
    assert.same({ true, "exit", 0 }, { h:wait() })
    assert.matches("failed", H.readfile(err))
    h:close()
  end)

  it("a stream keeps its handle alive, and a collected pair kills the child", function()
    local s = assert(proc.spawn(lua("while true do print('y') end"),
      { stdout = true })):stdout()
    collectgarbage()
    collectgarbage()
    assert.equal("y", s:read("l"))
    s = nil
    collectgarbage()
    collectgarbage()
  end)

  it("survive a finalizer that closes them or their handle during a read", function()
    local out = H.in_child([[
      local proc = require "ipc.proc"
      local fmts = {}
      for i = 1, 300 do fmts[i] = "l" end
      local function call(h)
        local t = { h:read(table.unpack(fmts)) }
        t[#t + 1] = h:read("a")
        return table.concat(t, ",")
      end
      local seq = require("spec_helper").lua_argv("for i = 1, 5000 do io.write(i, '\\n') end")
      local h = assert(proc.spawn(seq, { stdout = true }))
      local want = call(h)
      h:close()
      collectgarbage("incremental", 0, 100)
      local during, closed = 0, 0
      for i = 1, 200 do
        h = assert(proc.spawn(seq, { stdout = true }))
        local s = h:stdout()
        local target = i % 2 == 0 and h or s
        setmetatable({}, { __gc = function() pcall(target.close, target) end })
        local ok, got = pcall(call, h)
        if ok then
          assert(got == want, "different results")
          if tostring(target):find("closed") then during = during + 1 end
        else
          assert(got:find("closed", 1, true), got)
          closed = closed + 1
        end
        pcall(h.close, h)
      end
      print(during > 0)
    ]])
    assert.equal("true\n", out)
  end)

  it("stay bounded in memory while a child writes far more than is read at once", function()
    if H.needs("proc_fs") then return end
    local out = H.in_child([[
      local proc = require "ipc.proc"
      local hwm = require("spec_helper").peak_rss_kib
      local h = assert(proc.spawn("yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 268435456",
        { stdout = true }))
      local before = hwm()
      local n = 0
      for line in h:lines("L") do n = n + #line end
      assert(h:wait())
      print(n, hwm() - before < 32 * 1024)
    ]])
    assert.equal("268435456\ttrue\n", out)
  end)

  it("run inside a scheduler's coroutine without blocking the others", function()
    local out = H.in_child([[
      local proc = require "ipc.proc"
      local loop = require "ipc.loop"
      loop.scheduler(function(fd, timeout) coroutine.yield(fd, timeout) end)
      local h = assert(proc.spawn(require("spec_helper").lua_argv(
        "io.write('got ', io.read('l'), '\\n')"), { stdin = true, stdout = true }))
      local reader = coroutine.create(function() return h:read("l") end)
      local ok, fd = coroutine.resume(reader)
      assert(ok and coroutine.status(reader) == "suspended", fd)
      -- The reader is suspended in the scheduler; the main thread goes on.
      assert(h:write("go\n", proc.EOF))
      local res
      repeat ok, res = coroutine.resume(reader) until coroutine.status(reader) == "dead"
      print(ok, res, h:wait())
      h:close()
    ]])
    assert.equal("true\tgot go\ttrue\texit\t0\n", out)
  end)
end)
