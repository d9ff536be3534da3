-- A memory error while luaipc delivers a child's output inside a luv
-- program is reported the way luv reports an error of its own callbacks:
-- delivery runs inside luv's protected callback, so luv prints the error
-- and ends the program. It never escapes through uv_run unprotected,
-- leaving luv believing its loop still runs (then a later wait raised
-- "cannot block inside a running uv loop"). tools/lua_host's
-- host.fail_allocations(n, 2) makes the nth allocation from now fail, and
-- the retry Lua makes after its emergency collection.
local H = require "spec_helper"

local HOST = H.BUILD .. "/tools/lua_host"

local SCRIPT = [[
local n = tonumber(...)
local uv = require "luv"
local proc = require "ipc.proc"
local got = {}
local h = assert(proc.spawn({ "sh", "-c", "printf hello; printf ' world' >&2" }, {
  stdout = true, stderr = true,
  callback = function(_, data) if data then got[#got + 1] = data end end,
}))
local status
local t = uv.new_timer()
t:start(0, 0, function()
  t:close()
  coroutine.wrap(function()
    host.fail_allocations(n, 2)
    status = h:wait()
  end)()
end)
uv.run()
host.fail_allocations(0)
local ok, err = pcall(function() return h:wait() end)
print("completed", #table.concat(got), status, ok, err)
]]

local function run(script, n)
  local out, errf = H.tmpfile(), H.tmpfile()
  local ok, what, code = os.execute(
    ("ASAN_OPTIONS=detect_leaks=0 timeout -s KILL 60 %s %s %d >%s 2>%s")
      :format(HOST, script, n, out, errf))
  return ok, what, code, H.readfile(out), H.readfile(errf)
end

describe("a memory error during delivery under luv", function()
  after_each(H.cleanup)

  it("is reported by luv, at every allocation of a delivery", function()
    if not pcall(require, "luv") then
      pending("luv is not installed")
      return
    end
    local script = H.tmpfile(SCRIPT)
    local reported, completed = 0, 0
    for n = 1, 60 do
      local ok, what, code, out, err = run(script, n)
      assert.equal("exit", what, ("run %d ended by a signal\n%s"):format(n, err))
      assert.is_nil(err:find("cannot block", 1, true), err)
      if ok then
        -- The failure fell where a caller could catch it, or after the end.
        assert.matches("^completed\t11\ttrue\ttrue\ttrue\n$", out)
        completed = completed + 1
      else
        assert.equal(255, code, err)
        assert.matches("not enough memory", err)
        reported = reported + 1
      end
    end
    assert.is_true(reported > 5, "failures were injected into deliveries")
    assert.is_true(completed > 5, "a run without an injected failure completes")
  end)
end)
