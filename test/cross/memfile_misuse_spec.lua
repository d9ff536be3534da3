-- Lifecycle and misuse of strfile, mmap and shm handles. Every check runs
-- in a child process, so that a crash fails one test, not the whole run.

-- Code shared by the child programs: handle factories and assertions.
local PRELUDE = [[
local strfile = require "ipc.strfile"
local mmap = require "ipc.mmap"
local shm = require "ipc.shm"
local path = os.tmpname()
do local f = assert(io.open(path, "wb")) f:write("line 1\n2\n") f:close() end
local name = ("ipcmisuse-%d-%d"):format(math.random(1, 1e9), os.time())
local made = {
  strfile = function() return assert(strfile.open("line 1\n2\n")) end,
  mmap = function() return assert(mmap.open(path, "rw")) end,
  shm = function()
    local h = assert(shm.create(name, 9))
    h:write("line 1\n2\n")
    h:seek("set", 0)
    return h
  end,
}
local kinds = { "strfile", "mmap", "shm" }
local methods = { "read", "lines", "write", "seek", "flush", "setvbuf",
  "close", "size", "addr", "truncate" }

-- f(...) must raise an error whose message contains `text` (plain).
local function raises(text, f, ...)
  local ok, err = pcall(f, ...)
  if ok then error(("no error, wanted %q"):format(text), 2) end
  if not tostring(err):find(text, 1, true) then
    error(("error %q, wanted %q"):format(tostring(err), text), 2)
  end
end
-- f(...) must return nil, message, errno.
local function fails(f, ...)
  local r = table.pack(pcall(f, ...))
  if not r[1] then error("raised " .. tostring(r[2]), 2) end
  if r[2] ~= nil or type(r[3]) ~= "string" or math.type(r[4]) ~= "integer" then
    error(("wanted nil, msg, errno, got %s %s %s"):format(
      tostring(r[2]), tostring(r[3]), tostring(r[4])), 2)
  end
end
local function cleanup() os.remove(path) shm.remove(name) end
]]

local function run(body)
  return H.in_child(PRELUDE .. body .. "\ncleanup()\nprint('done')\n")
end

describe("memfile handles", function()
  it("follow the handle lifecycle", function()
    assert.equal("done\n", run [[
      for _, kind in ipairs(kinds) do
        local h = made[kind]()
        local mt = getmetatable(h)
        assert(mt.__name == "ipc." .. kind)
        assert(io.type(h) == nil)
        assert(tostring(h):match("^ipc%." .. kind .. " %(0x%x+%)$"), tostring(h))
        assert(h:close() == true)
        assert(tostring(h) == "ipc." .. kind .. " (closed)")
        for _, m in ipairs(methods) do
          raises("attempt to use a closed handle", h[m], h)
        end
        raises("attempt to use a closed handle", h.read, h, "a")
        raises("attempt to use a closed handle", h.seek, h, "set", 0)
        -- An iterator made before the close reports a closed file.
        h = made[kind]()
        local it = h:lines()
        assert(it() == "line 1")
        h:close()
        raises("file is already closed", it)
        -- <close> and __gc close the handle.
        local seen
        do
          local c <close> = made[kind]()
          seen = c
        end
        assert(tostring(seen) == "ipc." .. kind .. " (closed)")
        mt.__close(seen) -- on a closed handle: nothing to do
        mt.__gc(seen)
        made[kind]()
        collectgarbage()
        collectgarbage()
      end
      -- The gc of an unclosed creator removed the shm name.
      assert(shm.attach(name) == nil)
    ]])
  end)

  it("raise type errors for handles of another type and non-handles", function()
    assert.equal("done\n", run [[
      local handles = {}
      for _, kind in ipairs(kinds) do handles[kind] = made[kind]() end
      for _, kind in ipairs(kinds) do
        local mt = getmetatable(handles[kind])
        for _, m in ipairs(methods) do
          local f = mt.__index[m]
          for _, other in ipairs(kinds) do
            if other ~= kind then
              raises("ipc." .. kind .. " expected, got ipc." .. other, f,
                handles[other])
            end
          end
          raises("ipc." .. kind .. " expected, got no value", f)
          raises("ipc." .. kind .. " expected, got nil", f, nil)
          raises("ipc." .. kind .. " expected, got number", f, 1)
          raises("ipc." .. kind .. " expected, got string", f, "x")
          raises("ipc." .. kind .. " expected, got table", f, {})
          raises("ipc." .. kind .. " expected, got FILE*", f, io.stdout)
          raises("ipc." .. kind .. " expected, got light userdata", f,
            handles[kind]:addr())
        end
        raises("ipc." .. kind .. " expected", mt.__tostring, io.stdout)
        -- Finalizers called by hand on foreign values do nothing.
        mt.__gc(io.stdout)
        mt.__close(handles[kind == "shm" and "strfile" or "shm"])
        mt.__gc(nil)
        mt.__gc(handles[kind]:addr())
      end
      assert(io.stdout:write(""))
      for _, h in pairs(handles) do assert(h:read("l") == "line 1") h:close() end
    ]])
  end)

  it("raise argument errors for bad method arguments", function()
    assert.equal("done\n", run [[
      for _, kind in ipairs(kinds) do
        local h = made[kind]()
        raises("bad argument #1 to 'read' (invalid format)", function() h:read("x") end)
        raises("bad argument #2 to 'read' (invalid format)", function() h:read("l", "") end)
        raises("bad argument #1 to 'read' (invalid count)", function() h:read(-1) end)
        raises("(invalid count)", h.read, h, math.mininteger)
        raises("bad argument #1 to 'seek' (invalid option 'x')", function() h:seek("x") end)
        raises("bad argument #1 to 'truncate' (negative size)", function() h:truncate(-1) end)
        raises("number has no integer representation", h.read, h, 0 / 0)
        raises("number has no integer representation", h.read, h, math.huge)
        raises("number has no integer representation", h.read, h, 2^63)
        raises("number has no integer representation", h.read, h, 1.5)
        raises("(string expected, got table)", h.read, h, {})
        raises("(string expected, got boolean)", h.read, h, true)
        raises("(string expected, got nil)", h.read, h, "l", nil)
        h:seek("set", 0)
        raises("invalid format", h.read, h, "x", "l")
        assert(h:seek() == 0) -- a bad first format consumes nothing
        -- Formats before a bad one are read, as io does.
        assert(not pcall(h.read, h, "l", "x"))
        assert(h:read("l") == "2")
        h:seek("set", 0)
        -- A huge count reads what there is.
        assert(h:read(math.maxinteger) == "line 1\n2\n")
        h:seek("set", 0)
        raises("invalid option 'x'", h.seek, h, "x")
        raises("string expected, got table", h.seek, h, {})
        raises("number has no integer representation", h.seek, h, "set", 0 / 0)
        raises("number has no integer representation", h.seek, h, "set", math.huge)
        raises("number expected, got table", h.seek, h, "set", {})
        fails(h.seek, h, "cur", math.mininteger)
        fails(h.seek, h, "end", math.maxinteger)
        raises("invalid option 'x'", h.setvbuf, h, "x")
        raises("bad argument #1 to 'setvbuf'", function() h:setvbuf() end)
        raises("negative size", h.setvbuf, h, "full", -1)
        assert(h:setvbuf("no") == true and h:setvbuf("full", 1 << 40) == true)
        raises("negative size", h.truncate, h, -1)
        raises("number expected, got no value", h.truncate, h)
        raises("number has no integer representation", h.truncate, h, 0 / 0)
        raises("number has no integer representation", h.truncate, h, 2^64)
        local ok, msg = h:truncate(math.maxinteger)
        assert(ok == nil and type(msg) == "string")
        raises("string expected, got table", h.write, h, {})
        raises("string expected, got nil", h.write, h, "a", nil)
        raises("string expected, got boolean", h.write, h, true)
        local many = {}
        for i = 1, 251 do many[i] = "l" end
        raises("too many arguments", h.lines, h, table.unpack(many))
        for i = 1, 250 do many[i] = 0 end
        local it = h:lines(table.unpack(many, 1, 250))
        assert(select("#", it()) == 250)
        it = h:lines("x")
        raises("invalid format", it)
        it = h:lines({})
        raises("string expected, got table", it)
        assert(h:flush() == true)
        h:close()
      end
    ]])
  end)

  it("raise argument errors for bad module arguments", function()
    assert.equal("done\n", run [[
      raises("bad argument #1 to 'ipc.strfile.open' (string expected, got no value)", strfile.open)
      raises("string expected, got table", strfile.open, {})
      raises("string expected, got nil", mmap.open, nil)
      raises("invalid option 'x'", mmap.open, path, "x")
      raises("invalid option 'r+'", mmap.open, path, "r+")
      raises("negative offset", mmap.open, path, "r", -1)
      raises("negative offset", mmap.open, path, "r", math.mininteger)
      raises("negative size", mmap.open, path, "r", 0, -1)
      raises("number has no integer representation", mmap.open, path, "r", 0 / 0)
      raises("number has no integer representation", mmap.open, path, "r", math.huge)
      raises("number has no integer representation", mmap.open, path, "r", 0, -math.huge)
      raises("number expected, got table", mmap.open, path, "r", {})
      fails(mmap.open, path, "r", math.maxinteger)
      fails(mmap.open, path, "r", 1 << 62)
      fails(mmap.open, path, "r", 0, math.maxinteger)
      raises("NUL byte", mmap.open, path .. "\0x")
      fails(mmap.open, "")
      raises("string expected, got no value", shm.create)
      raises("number expected, got no value", shm.create, name)
      raises("negative size", shm.create, name, -1)
      raises("number has no integer representation", shm.create, name, 0 / 0)
      raises("number has no integer representation", shm.create, name, math.huge)
      raises("invalid permissions", shm.create, name, 8, -1)
      raises("invalid permissions", shm.create, name, 8, 512)
      raises("number expected, got string", shm.create, name, 8, "rw")
      raises("string expected, got table", shm.create, {}, 8)
      fails(shm.create, name, math.maxinteger)
      assert(shm.attach(name) == nil) -- the failed create left nothing
      fails(shm.create, name, 0)
      raises("string expected, got no value", shm.attach)
      raises("string expected, got boolean", shm.remove, true)
      fails(shm.attach, name)
      fails(shm.remove, name)
      fails(shm.remove, 12)
    ]])
  end)
end)
