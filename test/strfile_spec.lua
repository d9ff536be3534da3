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

  it("is read-only", function()
    local h = strfile.open("abc")
    local ok, msg, code = h:write("x")
    assert.is_nil(ok)
    assert.is_string(msg)
    assert.equal(9, code)
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
