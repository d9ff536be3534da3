-- luaipc's loop run outside a step of the luv driver (h:write and spawn
-- run it to register their descriptors) takes the readiness of what it ran
-- off the descriptor the driver polls. What it recorded must still be
-- delivered: the run pokes the loop, so the driver steps. Before, a child's
-- exit seen by such a run left the coroutine waiting for it suspended for
-- ever (the luv_mixed spec hung about once in 30 runs under load).
require "spec_helper"

describe("a run of luaipc's loop outside the luv driver's step", function()
  it("still wakes the coroutine whose child it saw exit", function()
    local out = H.in_child [[
      local uv = require "luv"
      local proc = require "ipc.proc"
      local b = assert(proc.spawn({ "sleep", "30" }, { stdin = true }))
      local a = assert(proc.spawn({ "sh", "-c", "read x" }, { stdin = true }))
      local start = uv.new_timer()
      start:start(0, 0, function()
        start:close()
        coroutine.wrap(function()
          print("resumed", a:wait())
          b:close()
        end)()
      end)
      local go = uv.new_timer()
      go:start(50, 0, function()
        go:close()
        a:write("go\n")
        os.execute("sleep 0.3")  -- a exits meanwhile; nothing has seen it
        b:write("x")             -- runs luaipc's loop: sees a's exit
      end)
      local guard = uv.new_timer()
      guard:start(10000, 0, function() print("stuck") os.exit(1) end)
      guard:unref()
      uv.run()
    ]]
    assert.equal("resumed\ttrue\texit\t0\n", out)
  end)
end)
