-- ipc.loop: luaipc's own loop driven by a host (docs/contract.md, "Any
-- coroutine scheduler: a pollable loop"): its descriptor, its timeout, its
-- step, and blocking calls that suspend a coroutine through a scheduler
-- function, under real cqueues and under a small scheduler written here.
require "spec_helper"
local loop = require "ipc.loop"

local has_cqueues = pcall(require, "cqueues")

describe("ipc.loop", function()
  it("is part of require 'ipc' and does not touch the global table", function()
    local before = {}
    for k in pairs(_G) do before[k] = true end
    local ipc = require "ipc"
    assert.equal(loop, ipc.loop)
    assert.equal(loop, require "ipc.loop")
    for k in pairs(_G) do assert.is_true(before[k], k) end
  end)

  it("has a pollable descriptor, no timeout when idle, and a step", function()
    local out = H.in_child [[
      local loop = require "ipc.loop"
      local fd = loop.pollfd()
      print(math.type(fd), fd > 2, loop.timeout(), loop.step())
    ]]
    assert.equal("integer\ttrue\tnil\ttrue\n", out)
  end)

  it("counts a spawn's timeout and delivers callbacks from step", function()
    local out = H.in_child [[
      local loop = require "ipc.loop"
      local proc = require "ipc.proc"
      local got = {}
      local h = assert(proc.spawn({ "sh", "-c", "echo hi" }, { stdout = true,
        timeout = 5, callback = function(s, d) got[#got + 1] = d end }))
      local t = loop.timeout()
      print("timeout", t ~= nil and t >= 0 and t <= 5)  -- 0: step now
      -- Without wait: steps, with the timeout as the longest sleep.
      local deadline = os.time() + 10
      while #got == 0 and os.time() < deadline do
        os.execute("sleep 0.01")
        loop.step()
      end
      print(table.concat(got):gsub("\n", ""), (h:wait()))
      h:close()
    ]]
    assert.equal("timeout\ttrue\nhi\ttrue\n", out)
  end)

  it("rejects a scheduler that is not a function", function()
    assert.has_error(function() loop.scheduler(42) end)
    assert.is_true(loop.scheduler(nil))
  end)

  -- The scenario both schedulers run: a coroutine waiting for a child, one
  -- in proc.run, one in sem:dec(), one in filelock.lock() on a range a
  -- child holds, one in proc.wait_any, one in h:drain(), one reading a
  -- proc.lines loop, and a ticker. The ticker releases the waits itself once
  -- it has seen them all pending for a few ticks, so the program can only
  -- finish if no wait blocked the scheduler's thread.
  local SCENARIO = [[
    local proc = require "ipc.proc"
    local sem = require "ipc.sem"
    local filelock = require "ipc.filelock"
    local sem_name, lock_path = ...
    local s = assert(sem.create(sem_name))
    local pending, released, ticks_pending = 0, false, 0
    local results = {}
    local holder = assert(proc.spawn({ "lua5.4", "-e", ([=[
      local f = assert(io.open(%q, "w"))
      assert(require("ipc.filelock").lock(f, "w"))
      io.write("locked\n") io.flush()
      io.read("l")
    ]=]):format(lock_path) }, { stdin = true, stdout = true, callback = function() end }))
    os.execute("sleep 0.3")  -- the holder has its lock
    local function job(name, f)
      spawn(function()
        pending = pending + 1
        results[name] = f()
        pending = pending - 1
      end)
    end
    local gate = assert(proc.spawn({ "sh", "-c", "read x; echo child $x; exit 3" },
      { stdin = true, stdout = true, callback = function(_, d)
        if d then results.out = (results.out or "") .. d end end }))
    job("wait", function()
      local ok, what, code = gate:wait()
      return ("%s %s %s"):format(ok, what, code)
    end)
    local flag = lock_path .. ".go"
    job("run", function()
      local r = proc.run({ "sh", "-c",
        'while [ ! -e "$1" ]; do sleep 0.01; done; echo run go', "sh", flag })
      return r.ok and r.stdout
    end)
    job("dec", function() return s:dec() end)
    job("lock", function()
      local f = assert(io.open(lock_path, "r+"))
      local ok = filelock.lock(f, "w")
      f:close()
      return ok
    end)
    -- The second wave's waits: wait_any, drain and a proc.lines loop, on
    -- children that go on once the flag file exists.
    local function after_flag(tail)
      return { "sh", "-c", 'while [ ! -e "$1" ]; do sleep 0.01; done; ' .. tail, "sh", flag }
    end
    local any = assert(proc.spawn(after_flag("exit 1")))
    job("any", function()
      local _, _, what, code = proc.wait_any({ any })
      return what .. " " .. code
    end)
    local slow = assert(proc.spawn(after_flag("cat >/dev/null"), { stdin = true }))
    job("drain", function()
      slow:write(("x"):rep(1 << 20))
      local ok = slow:drain()
      slow:write(proc.EOF)
      return ok
    end)
    job("lines", function()
      local seen = {}
      for l in proc.lines(after_flag("echo l1; echo l2")) do seen[#seen + 1] = l end
      return table.concat(seen, " ")
    end)
    spawn(function()
      local ticks = 0
      while pending > 0 or not released do
        sleep(0.01)
        ticks = ticks + 1
        if pending == 7 and not released then
          ticks_pending = ticks_pending + 1
          if ticks_pending == 5 then
            released = true
            io.open(flag, "w"):close()
            gate:write("go\n")
            s:inc()
            holder:write("done\n")
          end
        end
        assert(ticks < 3000, "the waits never ended")
      end
    end)
    run()
    print("ticks while all seven waited", ticks_pending)
    for _, k in ipairs { "wait", "out", "run", "dec", "lock", "any", "drain", "lines" } do
      print(k, results[k])
    end
    holder:wait()
    slow:wait()
    s:close()
    os.remove(flag)
  ]]
  local EXPECTED = table.concat({
    "ticks while all seven waited\t5",
    "wait\tnil exit 3",
    "out\tchild go\n",
    "run\trun go\n",
    "dec\ttrue",
    "lock\ttrue",
    "any\texit 1",
    "drain\ttrue",
    "lines\tl1 l2",
  }, "\n") .. "\n"

  it("lets cqueues run coroutines while calls wait (require 'ipc.cqueues')", function()
    if not has_cqueues then
      pending("lua-cqueues is not installed")
      return
    end
    local path = H.tmpfile("")
    local out = H.in_child([[
      local cqueues = require "cqueues"
      require "ipc.cqueues"
      local cq = cqueues.new()
      function spawn(f) cq:wrap(f) end
      sleep = cqueues.sleep
      function run() assert(cq:loop()) end
    ]] .. SCENARIO, H.sem_name(), path)
    assert.equal(EXPECTED, out)
    H.cleanup()
  end)

  it("lets a small hand-written scheduler run coroutines while calls wait", function()
    if not has_cqueues then
      pending("lua-cqueues is not installed (used only as poll(2))")
      return
    end
    local path = H.tmpfile("")
    local out = H.in_child([[
      -- Coroutines yield ("io", fd, timeout) from the scheduler function or
      -- ("sleep", t); the scheduler polls the descriptor with the earliest
      -- deadline (cqueues.poll outside a controller is a plain poll(2)).
      local cqueues = require "cqueues"
      local loop = require "ipc.loop"
      local clock = cqueues.monotime
      local ready, waiting = {}, {}
      loop.scheduler(function(fd, timeout)
        coroutine.yield("io", fd, timeout)
      end)
      function spawn(f) ready[#ready + 1] = coroutine.create(f) end
      function sleep(t) coroutine.yield("sleep", nil, t) end
      local function resume(co)
        local ok, what, fd, t = coroutine.resume(co)
        assert(ok, what)
        if coroutine.status(co) == "dead" then return end
        waiting[#waiting + 1] = { co = co, fd = fd,
          at = t and clock() + t or math.huge }
      end
      function run()
        while #ready > 0 or #waiting > 0 do
          local list = ready
          ready = {}
          for _, co in ipairs(list) do resume(co) end
          local first, fd = math.huge, nil
          for _, w in ipairs(waiting) do
            if w.at < first then first = w.at end
            fd = fd or w.fd
          end
          local t = math.max(0, first - clock())
          if t == math.huge then t = nil end
          if fd then
            cqueues.poll({ pollfd = function() return fd end,
              events = function() return "r" end }, t)
          elseif t then
            cqueues.sleep(t)
          end
          local now = clock()
          local still = {}
          for _, w in ipairs(waiting) do
            if w.fd or w.at <= now then ready[#ready + 1] = w.co
            else still[#still + 1] = w end
          end
          waiting = still
        end
      end
    ]] .. SCENARIO, H.sem_name(), path)
    assert.equal(EXPECTED, out)
    H.cleanup()
  end)

  it("propagates an error of the scheduler function and leaves the semaphore usable", function()
    local out = H.in_child([[
      local loop = require "ipc.loop"
      local sem = require "ipc.sem"
      local s = assert(sem.create(...))
      loop.scheduler(function() error("scheduler gave up") end)
      local co = coroutine.wrap(function() return pcall(s.dec, s) end)
      local ok, err = co()
      print(ok, tostring(err):match("scheduler gave up"))
      loop.scheduler(nil)
      -- The abandoned wait takes no later post.
      s:inc()
      os.execute("sleep 0.3")
      print(require("spec_helper").sem_count(s), s:dec(0), s:dec(0))
      s:close()
    ]], H.sem_name())
    assert.equal("false\tscheduler gave up\n1\ttrue\tfalse\n", out)
  end)

  -- A scheduler function may return without suspending (a host that
  -- polls): the call then checks again, as often as it takes, in a loop
  -- that does not grow the C stack (a wait of 0.3 s calls it ~10^5 times).
  it("lets a scheduler function return at once, however often", function()
    local out = H.in_child([[
      local loop = require "ipc.loop"
      local proc = require "ipc.proc"
      local sem = require "ipc.sem"
      local name, calls = ..., 0
      loop.scheduler(function() calls = calls + 1 end)
      local co = coroutine.wrap(function()
        local h = assert(proc.spawn({ "sleep", "0.3" }))
        local s = assert(sem.create(name))
        return h:wait(), s:dec(0.3), s:close()
      end)
      print(co())
      print(calls > 1000)
    ]], H.sem_name())
    assert.equal("true\tfalse\ttrue\ntrue\n", out)
  end)
end)
