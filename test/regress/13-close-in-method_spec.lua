-- A handle closed by a finalizer while one of its own methods runs (the
-- collector runs finalizers during the method's allocations): the method
-- finishes with its results, never touching freed or unmapped memory, and
-- the handle is closed afterwards. Each case runs in a child so that a
-- crash fails one test.
local H = require "spec_helper"

-- `open` makes a fresh handle; `call(h)` runs the method and returns a
-- string, which must be what the same call gives without a finalizer, and
-- `want` (a pattern) must match it. The child counts how often the
-- finalizer closed the handle during a call that then gave its results:
-- that must have happened.
local function child(setup, open, call, want)
  return H.in_child(([[
    local mmap, shm, strfile = require "ipc.mmap", require "ipc.shm", require "ipc.strfile"
    %s
    local open = function() %s end
    local call = function(h) %s end
    local plain = open()
    local want = call(plain)
    plain:close()
    assert(want:match(%q), ("the call gives %%q"):format(want))
    collectgarbage("incremental", 0, 100) -- a new cycle at once, big steps
    local during = 0
    for i = 1, 3000 do
      local h = assert(open())
      setmetatable({}, { __gc = function() pcall(h.close, h) end })
      local ok, got = pcall(call, h)
      if ok then
        assert(got == want, ("got %%q"):format(got))
        -- Closed, yet the call gave its results: closed during the call.
        if tostring(h):find("closed") then during = during + 1 end
      else
        -- Closed before the call began (a collection between two
        -- instructions): the method raises, as for any closed handle (a
        -- lines iterator: "file is already closed", as io's does).
        assert(got:find("attempt to use a closed handle", 1, true) or
          got:find("file is already closed", 1, true), got)
      end
      pcall(h.close, h)
    end
    collectgarbage("incremental", 200, 100)
    print(during > 0 and "ok" or "never closed during a call")
    if cleanup then cleanup() end
  ]]):format(setup, open, call, want))
end

local file_setup = [[
  local path = os.tmpname()
  local f = io.open(path, "w") f:write(("line\n"):rep(200000)) f:close()
  function cleanup() os.remove(path) end
]]
local shm_setup = [[
  local name = ("ipc13-%d-%d"):format(math.random(1e9), os.time())
  local owner = assert(shm.create(name, 1 << 20))
  owner:write(("abc\n"):rep(1 << 18))
  function cleanup() owner:close() end
]]

describe("a handle closed by a finalizer during its own method", function()
  it("mmap read with several formats", function()
    assert.equal("ok\n", child(file_setup, "return mmap.open(path)",
      [[return table.concat({ h:read("l", "l", 100000, "l", "L", 100000, "l", "n") }, "|")]],
      "^line|line|line\n.*|line|line\n|line\n.*|line$"))
  end)

  it("mmap lines with formats", function()
    assert.equal("ok\n", child(file_setup, "return mmap.open(path)",
      [[return table.concat({ h:lines(2, 2, 100000, 2, 100000, "l")() }, "|")]],
      "^li|ne|\nl[^|]*|[^|]*|[^|]*|[^|]*$"))
  end)

  it("shm read of several counts", function()
    assert.equal("ok\n", child(shm_setup, "return shm.attach(name)",
      [[return table.concat({ h:read(1, 1, 1, 1, 1, 1, 4000, 2) }, "|")]],
      "^a|b|c|\n|a|b|c\n.*|..$"))
  end)

  it("strfile read of several counts", function()
    assert.equal("ok\n", child("", [[return strfile.open(("abc"):rep(2000))]],
      [[return table.concat({ h:read(1, 1, 1, 3000, "l") }, "|")]],
      "^a|b|c|abcabc.*|abc"))
  end)
end)
