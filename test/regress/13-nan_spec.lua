-- NaN for a timeout or a size raises a clear error instead of meaning
-- "forever" or "nothing" (the seconds checker of core/status).
local H = require "spec_helper"
local sem, shm, mmap = require "ipc.sem", require "ipc.shm", require "ipc.mmap"

describe("NaN", function()
  it("raises as sem:dec's timeout", function()
    local n = H.uniq("ipc13nan")
    local s = assert(sem.create(n, 1))
    local ok, err = pcall(s.dec, s, 0 / 0)
    assert.is_false(ok)
    assert.matches("bad argument .*invalid timeout", err)
    assert.is_true(s:dec(0)) -- nothing was taken
    s:close()
  end)

  it("raises as a size or offset", function()
    local path = os.tmpname()
    H.writefile(path, "data")
    for _, f in ipairs {
      function() return shm.create(H.uniq("ipc13nan"), 0 / 0) end,
      function() return mmap.open(path, "r", 0 / 0) end,
      function() return mmap.open(path, "r", 0, 0 / 0) end,
    } do
      local ok, err = pcall(f)
      assert.is_false(ok)
      assert.matches("number has no integer representation", err)
    end
    os.remove(path)
  end)
end)
