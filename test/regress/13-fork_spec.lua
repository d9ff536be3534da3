-- After fork(), handles belong to the process that made them: a forked
-- child that closes its copies, or ends its Lua state normally (running the
-- finalizers it inherited), never removes the parent's shm or semaphore
-- names, and mapped memory and semaphores keep working in the child.
-- tools/lua_host gives the script a fork().
local H = require "spec_helper"

local HOST = H.BUILD .. "/tools/lua_host"

local SCRIPT = [[
local shm, sem = require "ipc.shm", require "ipc.sem"
local n = ...
local closed = assert(shm.create(n .. "-a", 4096))  -- closed by the child
local collected = assert(shm.create(n .. "-b", 4096)) -- left to its finalizer
local s1 = assert(sem.create(n .. "-c", 0))
local s2 = assert(sem.create(n .. "-d", 0))
local pid = host.fork()
if pid == 0 then
  -- The child: its copies work, then go away with the state.
  closed:write("from the child")
  collected:write("also")
  assert(s1:inc() and s2:inc())
  assert(closed:close() and s1:close())
  return
end
local status = host.wait(pid)
assert(status == 0, "child status " .. status)
local a = assert(shm.attach(n .. "-a"), "the child removed a shm name")
assert(shm.attach(n .. "-b"), "the child's finalizer removed a shm name")
assert(a:read(14) == "from the child")
assert(sem.open(n .. "-c"), "the child removed a semaphore name")
assert(sem.open(n .. "-d"), "the child's finalizer removed a semaphore name")
assert(s1:dec(0) and s2:dec(0))
-- The parent's own close still removes its names.
closed:close() collected:close() s1:close() s2:close()
assert(not shm.attach(n .. "-a") and not sem.open(n .. "-c"))
print("ok")
]]

describe("after fork()", function()
  it("the child never removes the parent's names, and its copies work", function()
    local script = os.tmpname()
    H.writefile(script, SCRIPT)
    local n = H.uniq("ipc13fork")
    local out = os.tmpname()
    local ok = os.execute(("%s %s %s >%s 2>&1"):format(HOST, script, n, out))
    local text = H.readfile(out)
    os.remove(out) os.remove(script)
    local shm, sem = require "ipc.shm", require "ipc.sem"
    for _, x in ipairs { "-a", "-b", "-c", "-d" } do
      shm.remove(n .. x) sem.remove(n .. x)
    end
    assert(ok, text)
    assert.equal("ok\n", text)
  end)
end)

describe("after fork(), process handles", function()
  it("are the parent's: the child's finalizers never kill its children", function()
    local script = os.tmpname()
    H.writefile(script, [[
      local proc = require "ipc.proc"
      local h = assert(proc.spawn({ "sleep", "1" }))
      local dropped = assert(proc.spawn({ "sleep", "1" }))
      local pid = host.fork()
      if pid == 0 then
        -- The child: methods refuse, pid answers, close only lets go.
        local ok, err = pcall(h.wait, h)
        print("child", ok, err:match("handle belongs to another process"), h:pid() > 0)
        assert(h:close())
        dropped = nil
        collectgarbage() collectgarbage()
        return
      end
      assert(host.wait(pid) == 0)
      print("parent", h:wait())
      print("parent", dropped:wait())
    ]])
    local out = os.tmpname()
    local ok = os.execute(("%s %s >%s 2>&1"):format(HOST, script, out))
    local text = H.readfile(out)
    os.remove(out) os.remove(script)
    assert(ok, text)
    assert.equal("child\tfalse\thandle belongs to another process\ttrue\n"
      .. "parent\ttrue\texit\t0\nparent\ttrue\texit\t0\n", text)
  end)
end)
