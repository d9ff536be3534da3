-- Semaphore handles are guarded like mapped files: when the file under a
-- named semaphore is empty, or is cut short by someone else while the
-- semaphore is in use (also while a pool thread of a luv program waits on
-- it), calls return nil, message, EFAULT instead of killing the program
-- with SIGBUS. Each case runs in a child.
local H = require "spec_helper"
local sem = require "ipc.sem"

local EFAULT = 14
local names
local function name()
  local n = H.uniq("ipc13sem")
  names[#names + 1] = n
  return n
end

-- Every method of `s` (whose memory is gone) returns nil, message, EFAULT.
local CHECK = [[
  local function gone(...)
    local ok, msg, code = ...
    assert(ok == nil and type(msg) == "string" and code == 14,
      ("wanted nil, msg, 14, got %s %s %s"):format(tostring(ok), tostring(msg), tostring(code)))
  end
  local function all_gone(s)
    if require("ipc").platform.sem_value then gone(s:value()) end
    gone(s:inc())
    gone(s:dec(0))
    gone(s:dec(0.01))
    gone(s:dec())
    assert(s:close())
  end
]]

describe("a semaphore whose file is empty or cut short", function()
  before_each(function() names = {} end)
  after_each(function()
    for _, n in ipairs(names) do sem.remove(n) end
  end)

  it("reports EFAULT from every method of a semaphore opened on an empty file", function()
    local n = name()
    H.writefile("/dev/shm/sem." .. n, "")
    assert.equal("ok\n", H.in_child(CHECK .. ([[
      local sem = require "ipc.sem"
      local s = assert(sem.open(%q))
      all_gone(s)
      print("ok")
    ]]):format(n)))
  end)

  it("reports EFAULT once another process truncated a live semaphore", function()
    local n = name()
    assert.equal("ok\n", H.in_child(CHECK .. ([[
      local sem = require "ipc.sem"
      local s = assert(sem.create(%q, 2))
      assert(s:dec(0) == true and s:dec(0) == true and s:dec(0) == false)
      assert(s:inc())
      io.open("/dev/shm/sem." .. %q, "w"):close()
      all_gone(s)
      print("ok")
    ]]):format(n, n)))
  end)

  it("ends a wait on libuv's pool with EFAULT when the file is cut meanwhile", function()
    local n = name()
    assert.equal("nil\t14\n", H.in_child(([[
      local uv = require "luv"
      local sem = require "ipc.sem"
      local s = assert(sem.create(%q, 0))
      local t = uv.new_timer()
      t:start(100, 0, function()
        t:close()
        io.open("/dev/shm/sem." .. %q, "w"):close()
      end)
      local co = coroutine.create(function()
        local ok, msg, code = s:dec()
        print(ok, code)
      end)
      local idle = uv.new_timer()
      idle:start(0, 0, function() idle:close() assert(coroutine.resume(co)) end)
      uv.run()
    ]]):format(n, n)))
  end)
end)
