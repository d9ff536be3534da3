-- require("ipc").platform describes what this build does on the running
-- system (SPEC, "Platforms"); the values are checked against the system.
local H = require "spec_helper"
local platform = require("ipc").platform

describe("ipc.platform", function()
  it("has every field with its type", function()
    assert.equal("string", type(platform.os))
    for _, k in ipairs { "proc", "ofd_locks", "sem_value", "pidfd", "signals",
                         "die_with_parent", "sem_identity", "persistent_names",
                         "pipe_resize" } do
      assert.equal("boolean", type(platform[k]), k)
    end
    assert.equal("integer", math.type(platform.shm_name_max))
    assert.equal("integer", math.type(platform.sem_name_max))
    assert.equal("integer", math.type(platform.sem_value_max))
  end)

  it("gives the largest value a semaphore is created with, and not one more", function()
    local sem = require "ipc.sem"
    local s = assert(sem.create(H.sem_name(), platform.sem_value_max))
    s:close()
    assert.is_false(pcall(sem.create, H.sem_name(), platform.sem_value_max + 1))
  end)

  it("gives name maxima that shm and sem really accept, and not one byte more", function()
    local shm, sem = require "ipc.shm", require "ipc.sem"
    local function name(len)
      local n = H.uniq("p")
      return n .. ("x"):rep(len - #n)
    end
    local n = name(platform.shm_name_max)
    local h = assert(shm.create(n, 8))
    h:close()
    assert.equal(H.E.ENAMETOOLONG, select(3, shm.create(name(platform.shm_name_max + 1), 8)))
    n = name(platform.sem_name_max)
    local s = assert(sem.create(n))
    s:close()
    assert.equal(H.E.ENAMETOOLONG, select(3, sem.create(name(platform.sem_name_max + 1))))
  end)

  it("says what value() and two opens of a locked file do", function()
    local sem, filelock = require "ipc.sem", require "ipc.filelock"
    local s = assert(sem.create(H.uniq("ipc13plat"), 2))
    if platform.sem_value then
      assert.equal(2, s:value())
    else
      assert.is_nil(s:value())
    end
    s:close()
    local path = H.tmpname()
    H.writefile(path, "")
    local f1, f2 = assert(io.open(path, "r+")), assert(io.open(path, "r+"))
    assert.is_true(filelock.lock(f1, "w"))
    -- Open-file-description locks: the second open is another holder.
    assert.equal(not platform.ofd_locks, filelock.trylock(f2, "w"))
    f1:close() f2:close() os.remove(path)
  end)

  it("reports pidfd as the kernel gives it", function()
    if platform.os ~= "linux" then return pending("pidfd is a Linux feature") end
    -- pidfd_open exists from Linux 5.3 on; the probe opens one of ourselves.
    local major, minor = H.readfile("/proc/sys/kernel/osrelease"):match("^(%d+)%.(%d+)")
    local new_enough = tonumber(major) > 5 or (tonumber(major) == 5 and tonumber(minor) >= 3)
    if not new_enough then assert.is_false(platform.pidfd) end
    assert.is_true(platform.signals)
  end)
end)
