-- Names and paths that reach the OS as C strings: a NUL byte raises (the OS
-- would silently see a shorter name), and a failure names the object or
-- file that failed, as io.open does: "<name or path>: <strerror text>".
local H = require "spec_helper"
local shm, sem, mmap = require "ipc.shm", require "ipc.sem", require "ipc.mmap"

local function raises(text, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, ("no error, wanted %q"):format(text))
  assert(tostring(err):find(text, 1, true), tostring(err))
end

describe("names and paths", function()
  it("raise for a NUL byte in shm and semaphore names and mmap paths", function()
    local n = H.uniq("ipc13nul")
    for _, f in ipairs { shm.attach, shm.remove, sem.open, sem.create, sem.remove } do
      raises("NUL byte", f, n .. "\0tail")
    end
    raises("NUL byte", shm.create, n .. "\0tail", 8)
    raises("NUL byte", mmap.open, os.tmpname() .. "\0tail")
    -- Nothing was created under the part before the NUL.
    assert.is_nil(shm.attach(n))
    assert.is_nil(sem.open(n))
  end)

  it("name the shm or semaphore in failures", function()
    local n = H.uniq("ipc13name")
    local enoent = n .. ": No such file or directory"
    assert.same({ nil, enoent, 2 }, { shm.attach(n) })
    assert.same({ nil, enoent, 2 }, { shm.remove(n) })
    assert.same({ nil, enoent, 2 }, { sem.open(n) })
    assert.same({ nil, enoent, 2 }, { sem.remove(n) })
    local h = assert(shm.create(n, 8))
    assert.same({ nil, n .. ": File exists", 17 }, { shm.create(n, 8) })
    h:close()
    local s = assert(sem.create(n))
    assert.same({ nil, n .. ": File exists", 17 }, { sem.create(n) })
    s:close()
  end)

  it("name the path in mmap.open failures", function()
    local missing = os.tmpname() .. ".missing"
    assert.same({ nil, missing .. ": No such file or directory", 2 },
      { mmap.open(missing) })
  end)
end)
