-- ipc.proc inside a luv program. Every scenario runs in its own lua5.4
-- child, so that luv's loop state cannot leak from one test to the next.
require "spec_helper"

local function run(code)
  local ok, what, status, out, err = H.run_lua(
    'local uv = require "luv"\nlocal proc = require "ipc.proc"\n' .. code)
  return ok, what, status, out, err
end

local function run_ok(code)
  local ok, what, status, out, err = run(code)
  assert(ok, ("child failed (%s %s):\n%s%s"):format(what, status, out, err))
  return out
end

describe("ipc.proc under luv", function()
  it("keeps the loop serving while a coroutine waits", function()
    local out = run_ok [[
      local ticks, during = 0, nil
      local t = uv.new_timer()
      t:start(10, 10, function() ticks = ticks + 1 end)
      local got = {}
      coroutine.wrap(function()
        local h = assert(proc.spawn({ "sh", "-c", "sleep 0.3; echo done" },
          { stdout = true, callback = function(_, d) got[#got + 1] = d end }))
        local before = ticks
        print(h:wait())
        during = ticks - before
        h:close()
        t:stop()
        t:close()
      end)()
      uv.run()
      print(table.concat(got), during > 0)
    ]]
    assert.equal("true\texit\t0\ndone\n\ttrue\n", out)
  end)

  it("treats a huge wait timeout as no timeout in a coroutine", function()
    local out = run_ok [[
      local t = uv.new_timer()
      t:start(0, 0, function()
        t:close()
        coroutine.wrap(function()
          local h = assert(proc.spawn({ "sleep", "0.3" }, {}))
          print(h:wait(math.huge))
          h:close()
        end)()
      end)
      uv.run()
    ]]
    assert.equal("true\texit\t0\n", out)
  end)

  it("shows uv.walk() two luv handles whose closing detaches it cleanly", function()
    local out = run_ok [[
      local got = {}
      local h = assert(proc.spawn({ "sh", "-c", "sleep 0.3; echo out" },
        { stdout = true, callback = function(_, d) got[#got + 1] = d end }))
      local t = uv.new_timer()
      t:start(50, 0, function()
        t:close()
        coroutine.wrap(function() print("co", h:wait(5)) end)()
        local types = {}
        uv.walk(function(x)
          if not x:is_closing() then
            types[#types + 1] = (x:get_type())
            x:close()
          end
        end)
        table.sort(types)
        print(table.concat(types, " "))
      end)
      uv.run()  -- returns: nothing of luaipc keeps luv's loop alive any more
      print("detached")
      print("main", h:wait())  -- attaches again, and the coroutine goes on
      io.write(table.concat(got))
    ]]
    -- Without a descriptor to poll (Windows, IPC_LOOP_NO_POLLFD=1) the
    -- first handle is a timer too.
    local first = require("ipc.loop").pollfd() and "poll" or "timer"
    assert.equal(first .. " timer\ndetached\nco\ttrue\texit\t0\nmain\ttrue\texit\t0\nout\n", out)
  end)

  it("delivers the output of a dropped handle", function()
    local out = run_ok [[
      local got = {}
      proc.spawn({ "sh", "-c", "sleep 0.1; echo dropped; exit 3" },
        { stdout = true, callback = function(_, d) got[#got + 1] = d end })
      collectgarbage()
      collectgarbage()
      uv.run()
      io.write(table.concat(got))
    ]]
    assert.equal("dropped\n", out)
  end)

  it("runs 50 children at once, each output complete and ordered", function()
    local out = run_ok [[
      local results = {}
      for n = 1, 50 do
        coroutine.wrap(function()
          local got = {}
          local h = assert(proc.spawn({ "sh", "-c",
            "for i in 1 2 3 4 5; do echo " .. n .. "-$i; done; exit " .. n % 7 },
            { stdout = true, callback = function(_, d) got[#got + 1] = d end }))
          local ok, what, code = h:wait()
          h:close()
          results[n] = table.concat(got) .. what .. code
        end)()
      end
      uv.run()
      for n = 1, 50 do
        local want = ""
        for i = 1, 5 do want = want .. n .. "-" .. i .. "\n" end
        assert(results[n] == want .. "exit" .. n % 7, results[n])
      end
      print("all", #results)
    ]]
    assert.equal("all\t50\n", out)
  end)

  it("waits from the main thread while the loop is not running", function()
    local out = run_ok [[
      local got = {}
      local h = assert(proc.spawn({ "sh", "-c", "echo main; exit 4" },
        { stdout = true, callback = function(_, d) got[#got + 1] = d end }))
      print(h:wait())
      print(h:wait())
      io.write(table.concat(got))
      h:close()
      local s = assert(proc.spawn({ "sleep", "5" }))
      print(s:wait(0.05))
      s:close()
    ]]
    assert.equal("nil\texit\t4\nnil\texit\t4\nmain\nfalse\n", out)
  end)

  it("refuses to wait from a luv callback on the main thread", function()
    local out = run_ok [[
      local h = assert(proc.spawn({ "sleep", "0.2" }))
      local t = uv.new_timer()
      t:start(1, 0, function()
        local ok, err = pcall(h.wait, h)
        print(ok, err)
        t:close()
      end)
      uv.run()
      print(h:wait())
      h:close()
    ]]
    assert.matches("^false\t.-coroutine.-\ntrue\texit\t0\n$", out)
  end)

  it("times out a coroutine wait and resumes waiters on close", function()
    local out = run_ok [[
      local h = assert(proc.spawn({ "sleep", "5" }))
      -- Started from the loop: before uv.run(), wait would block instead.
      local start = uv.new_timer()
      start:start(0, 0, coroutine.wrap(function()
        start:close()
        print("timeout", h:wait(0.05))
        print("poll", h:wait(0))
        print("closed", h:wait())
      end))
      local t = uv.new_timer()
      t:start(200, 0, function() h:close(); t:close() end)
      uv.run()
    ]]
    assert.equal("timeout\tfalse\npoll\tfalse\nclosed\tnil\tsignal\t9\n", out)
  end)

  it("reports a callback error the way luv does", function()
    local ok, _, _, _, err = run [[
      proc.spawn({ "echo", "x" }, { stdout = true,
        callback = function() error("raised in the callback") end })
      uv.run()
      print("not reached")
    ]]
    assert.is_nil(ok)
    assert.matches("Uncaught Error", err)
    assert.matches("raised in the callback", err)
  end)

  it("kills children still running when the Lua state closes", function()
    local out = run_ok [[
      local a = proc.spawn({ "sleep", "30" }, { stdout = true, callback = print })
      local b = proc.spawn({ "sleep", "30" }, { stdin = true })
      b:write("pending")
      print(a:pid(), b:pid())
    ]]
    for pid in out:gmatch("%d+") do
      assert.is_false(os.execute("kill -0 " .. pid .. " 2>/dev/null") == true)
    end
  end)

  it("feeds stdin and leaves no process behind", function()
    local out = run_ok [[
      coroutine.wrap(function()
        local got = {}
        local h = assert(proc.spawn({ "cat" }, { stdin = true, stdout = true,
          callback = function(_, d) got[#got + 1] = d end }))
        h:write(string.rep("z", 1 << 20), proc.EOF)
        print(h:wait())
        print(#table.concat(got))
        h:close()
      end)()
      uv.run()
      local p = io.popen("LD_PRELOAD= ps -o stat= --ppid " .. uv.os_getpid())
      local zombies = 0
      for line in p:lines() do if line:match("^Z") then zombies = zombies + 1 end end
      p:close()
      print("zombies", zombies)
    ]]
    assert.equal("true\texit\t0\n1048576\nzombies\t0\n", out)
  end)
end)
