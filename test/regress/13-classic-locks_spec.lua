-- Where the platform has no open-file-description locks
-- (require("ipc").platform.ofd_locks is false: macOS, FreeBSD, the portable
-- build), filelock takes classic POSIX record locks, which belong to the
-- process: two opens of a file in one process share them, and closing any
-- descriptor of the file drops them. Where ofd_locks is true, these tests
-- are reported pending (the open-file-description semantics are tested in
-- filelock_spec).
local H = require "spec_helper"
local filelock = require "ipc.filelock"
local platform = require("ipc").platform

-- Another process's trylock of `path` for `mode`: "true" or "false".
local function other(path, mode)
  local ok, _, _, out = H.run_lua(([[
    local f = assert(io.open(%q, "r+"))
    print(require("ipc.filelock").trylock(f, %q))
  ]]):format(path, mode))
  assert(ok)
  return (out:gsub("%s+$", ""))
end

describe("classic record locks", function()
  local path
  before_each(function()
    path = os.tmpname()
    H.writefile(path, "data")
  end)
  after_each(function() os.remove(path) end)

  it("are shared by two opens of a file in one process", function()
    if platform.ofd_locks then return pending("platform.ofd_locks is true") end
    local f, g = assert(io.open(path, "r+")), assert(io.open(path, "r+"))
    assert.is_true(filelock.lock(f, "w"))
    assert.is_true(filelock.trylock(g, "w")) -- the same owner: the process
    assert.equal("false", other(path, "r"))
    f:close() g:close()
  end)

  it("are dropped when any descriptor of the file is closed", function()
    if platform.ofd_locks then return pending("platform.ofd_locks is true") end
    local f = assert(io.open(path, "r+"))
    assert.is_true(filelock.lock(f, "w"))
    assert.equal("false", other(path, "w"))
    assert(io.open(path, "r")):close()
    assert.equal("true", other(path, "w"))
    f:close()
  end)
end)
