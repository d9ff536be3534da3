-- The promises of docs/contract.md, "ipc.proc", "Inside a luv program",
-- for ipc.proc, ipc.sem and ipc.filelock: each test runs a luv program in a
-- child lua5.4.
require "spec_helper"

describe("inside a luv program", function()
  after_each(H.cleanup)

  -- `go(f)` runs f in a coroutine started from the loop, so that it runs
  -- while uv.run() is running.
  local function luv_ok(code)
    return H.in_child('local uv = require "luv"\nlocal proc = require "ipc.proc"\n'
      .. 'local function go(f) local t = uv.new_timer() '
      .. 't:start(0, 0, function() t:close() coroutine.wrap(f)() end) end\n' .. code)
  end

  it("callbacks arrive while uv.run() runs, with no call to wait", function()
    assert.equal("ticked\ttrue\nout\n", luv_ok [[
      local got, ticks = {}, 0
      local h = assert(proc.spawn({ "sh", "-c", "sleep 0.1; echo out" },
        { stdout = true, callback = function(_, d) got[#got + 1] = d end }))
      local t = uv.new_timer()
      t:start(5, 5, function() ticks = ticks + 1 end)
      local c = uv.new_timer()
      c:start(600, 0, function() t:close() c:close() end)
      uv.run()
      print("ticked", ticks > 5)
      io.write(table.concat(got))
      h:close()
    ]])
  end)

  it("errors in callbacks are reported the way luv reports them", function()
    local ok, _, _, out, err = H.run_lua [[
      local uv = require "luv"
      local proc = require "ipc.proc"
      proc.spawn({ "echo", "x" }, { stdout = true,
        callback = function() error("raised in the callback") end })
      uv.run()
      print("after")
    ]]
    local ok2, _, _, out2, err2 = H.run_lua [[
      local uv = require "luv"
      local t = uv.new_timer()
      t:start(1, 0, function() error("raised in the callback") end)
      uv.run()
      print("after")
    ]]
    assert.equal(ok2, ok)
    assert.equal(out2, out)
    assert.equal(err2:match("^[^\n]*"):gsub("^.-raised", "raised"),
      (err:match("^[^\n]*"):gsub("^.-raised", "raised")))
    assert.matches(err2:match("^(%a+ %a+)"), err, 1, true)
  end)

  it("wait in a coroutine suspends only that coroutine, resumed with the results", function()
    assert.equal("true\texit\t0\ttrue\n", luv_ok [[
      local ticks = 0
      local t = uv.new_timer()
      t:start(5, 5, function() ticks = ticks + 1 end)
      go(function()
        local h = assert(proc.spawn({ "sleep", "0.2" }))
        local ok, what, code = h:wait()
        print(ok, what, code, ticks > 5)
        h:close()
        t:close()
      end)
      uv.run()
    ]])
  end)

  it("proc.run in a coroutine suspends only that coroutine", function()
    assert.equal("true\thi\n\ttrue\n", luv_ok [[
      local ticks = 0
      local t = uv.new_timer()
      t:start(5, 5, function() ticks = ticks + 1 end)
      go(function()
        local r = proc.run({ "sh", "-c", "sleep 0.2; echo hi" })
        print(r.ok, r.stdout, ticks > 5)
        t:close()
      end)
      uv.run()
    ]])
  end)

  it("wait from the main thread without uv.run runs the loop itself", function()
    assert.equal("nil\texit\t5\tout\n\n", luv_ok [[
      local got = {}
      local h = assert(proc.spawn({ "sh", "-c", "echo out; exit 5" },
        { stdout = true, callback = function(_, d) got[#got + 1] = d end }))
      local ok, what, code = h:wait()
      print(ok, what, code, table.concat(got))
      h:close()
    ]])
  end)

  it("wait from a luv callback on the main thread raises, naming coroutines", function()
    local out = luv_ok [[
      local h = assert(proc.spawn({ "sleep", "0.1" }))
      local t = uv.new_timer()
      t:start(1, 0, function()
        print(pcall(h.wait, h))
        t:close()
      end)
      uv.run()
      h:close()
    ]]
    assert.matches("^false\t.*coroutine", out)
  end)

  it("proc.run from a luv callback on the main thread raises like wait", function()
    local out = luv_ok [[
      local t = uv.new_timer()
      t:start(1, 0, function()
        print(pcall(proc.run, { "true" }))
        t:close()
      end)
      uv.run()
    ]]
    assert.matches("^false\t.*coroutine", out)
  end)

  it("a dropped handle with a running child stays alive on the loop", function()
    assert.equal("late\n", luv_ok [[
      proc.spawn({ "sh", "-c", "sleep 0.2; echo late" },
        { stdout = true, callback = function(_, d) io.write(d) end })
      collectgarbage() collectgarbage()
      uv.run()
    ]])
  end)

  it("sem:dec with a wait in a coroutine suspends only that coroutine", function()
    assert.equal("false\ttrue\n", luv_ok(([[
      local sem = require "ipc.sem"
      local s = assert(sem.create(%q))
      local ticks = 0
      local t = uv.new_timer()
      t:start(5, 5, function() ticks = ticks + 1 end)
      go(function()
        local r = s:dec(0.3)
        print(r, ticks > 5)
        t:close()
        s:close()
      end)
      uv.run()
    ]]):format(H.sem_name())))
  end)

  it("filelock.lock in a coroutine suspends only that coroutine", function()
    local p = H.tmpfile("data")
    local c = H.hold_lock_briefly(p)
    assert.equal("true\ttrue\n", luv_ok(([[
      local filelock = require "ipc.filelock"
      local f = assert(io.open(%q, "r+"))
      local ticks = 0
      local t = uv.new_timer()
      t:start(5, 5, function() ticks = ticks + 1 end)
      go(function()
        local r = filelock.lock(f, "w")
        print(r, ticks > 5)
        t:close()
        f:close()
      end)
      uv.run()
    ]]):format(p)))
    assert(c.wait())
  end)
end)
