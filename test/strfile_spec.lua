local strfile = require "ipc.strfile"

describe("ipc.strfile", function()
  it("reads lines like a Lua file", function()
    local h = strfile.open("a\nb\r\n\nlast")
    assert.same({ "a", "b\r", "", "last" }, (function()
      local t = {}
      for l in h:lines() do t[#t + 1] = l end
      return t
    end)())
    assert.is_nil(h:read("l"))
    assert.equal("", h:read("a"))
  end)

  it("leaves the state sound when a large read runs out of memory", function()
    if H.SANITIZED then return end -- the sanitizer's address space defeats ulimit -v
    if H.lacks("posix_tools") then return end -- ulimit -v
    -- Large reads install a hinting allocator around the copy; a memory
    -- error raised inside must leave the state's own allocator in place.
    local script = H.tmpname()
    H.writefile(script, [[
      local strfile = require "ipc.strfile"
      local h = strfile.open(("s"):rep(32 << 20))
      local keep, ok, msg = {}, true, nil
      while ok do
        h:seek("set", 0)
        ok, msg = pcall(h.read, h, "a")
        keep[#keep + 1] = msg
      end
      print(msg)
      keep = nil
      collectgarbage()
      h:seek("set", 0)
      local t = {}
      for i = 1, 100000 do t[i] = { i } end
      print(#h:read("a"), #t)
    ]])
    local p = io.popen(("ulimit -v 400000 && exec %s %s 2>&1"):format(H.LUA, script))
    local out = p:read("a")
    local status = { p:close() }
    os.remove(script)
    assert.same({ true, "exit", 0 }, status, out)
    assert.equal("not enough memory\n" .. (32 << 20) .. "\t100000\n", out)
  end)

  it("is read-only", function()
    local h = strfile.open("abc")
    local ok, msg, code = h:write("x")
    assert.is_nil(ok)
    assert.is_string(msg)
    assert.equal(H.E.EBADF, code)
  end)

  it("has the handle lifecycle", function()
    local h = strfile.open("abc")
    assert.matches("^ipc%.strfile %(0x%x+%)$", tostring(h))
    assert.is_nil(io.type(h))
    assert.is_true(h:close())
    assert.equal("ipc.strfile (closed)", tostring(h))
    assert.has_error(function() h:close() end, "attempt to use a closed handle")
    assert.has_error(function() h:read() end, "attempt to use a closed handle")
  end)
end)

-- The promises of docs/contract.md, "The file-like handles (strfile,
-- mmap, shm)", one test each, written from the contract alone; where the
-- contract is ambiguous the reading tested is said in the test.
describe("ipc.strfile: each documented promise", function()
  after_each(H.cleanup)

  it("strfile.open gives a read-only handle over the string's bytes", function()
    local s = "bin\0ary\255\n"
    local h = strfile.open(s)
    assert.equal(#s, h:size())
    assert.equal(s, h:read("a"))
    h:seek("set", 0)
    H.assert_fail(nil, h:write("x"))
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
