-- mmap failures that say what happened: a directory is EISDIR, and a write
-- that the file system cannot store (a full tmpfs) is ENOSPC with the
-- handle unchanged, not EFAULT with a handle that shrank. The tmpfs case
-- needs to mount one (root); where that is refused it is reported pending.
local H = require "spec_helper"
local mmap = require "ipc.mmap"

describe("mmap.open and writes", function()
  it("refuses a directory with EISDIR", function()
    local ok, msg, code = mmap.open("/tmp")
    assert.is_nil(ok)
    assert.equal("/tmp: Is a directory", msg)
    assert.equal(21, code)
  end)

  local dir = os.tmpname()
  os.remove(dir)
  local mounted = os.execute("mkdir -p " .. dir ..
    " && mount -t tmpfs -o size=64k tmpfs " .. dir .. " 2>/dev/null")
  if not mounted then
    pending("writes into a full tmpfs (cannot mount a tmpfs here)")
    os.execute("rmdir " .. dir)
    return
  end

  it("reports ENOSPC for a write into a full tmpfs and keeps the handle", function()
    local out = H.in_child(([[
      local mmap = require "ipc.mmap"
      local path = %q .. "/file"
      local f = assert(io.open(path, "w"))
      f:write(("-"):rep(4096))
      assert(f:seek("set", 1 << 20 - 1)) f:write("x") f:close() -- sparse 1 MiB
      local h = assert(mmap.open(path, "rw"))
      local size = h:size()
      assert(h:seek("set", 4096))
      local r, msg, code = h:write(("y"):rep(512 * 1024))
      print(r, msg, code, h:size() == size, h:seek())
      -- The handle still maps the file: what was stored reads back.
      h:seek("set") print(h:read(4))
      h:close()
    ]]):format(dir))
    os.execute("umount " .. dir .. " && rmdir " .. dir)
    assert.equal("nil\tNo space left on device\t28\ttrue\t4096\n----\n", out)
  end)
end)
