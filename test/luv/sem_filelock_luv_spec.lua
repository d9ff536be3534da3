-- ipc.sem and ipc.filelock inside a luv program: a coroutine's blocking
-- wait (sem:dec with a wait, filelock.lock) runs on libuv's thread pool
-- while uv.run() runs, so the loop keeps serving timers; elsewhere the
-- calls block as in a plain script. Each scenario runs in a child lua5.4.
local sem = require "ipc.sem"

-- Code every child starts with: a 10 ms ticker and `after(ms, f)`.
local PRELUDE = [[
local uv = require "luv"
local sem = require "ipc.sem"
local filelock = require "ipc.filelock"
local U = require "spec_helper"
local ticks = 0
local ticker = uv.new_timer()
ticker:start(10, 10, function() ticks = ticks + 1 end)
local function after(ms, f)
  local t = uv.new_timer()
  t:start(ms, 0, function() t:close() f() end)
end
-- Runs f in a coroutine started from a loop callback.
local function spawn(f)
  after(0, function() assert(coroutine.resume(coroutine.create(f))) end)
end
local function stop() ticker:close() end
]]

local function run(code, ...)
  local ok, what, status, out, err = H.run_lua(PRELUDE .. code, ...)
  return ok, what, status, out, err
end

-- Runs the child and returns its stdout, failing with its stderr.
local function child(code, ...)
  local ok, what, status, out, err = run(code, ...)
  assert(ok, ("child failed (%s %s):\n%s%s"):format(what, status, out, err))
  return out
end

local names
local function name()
  local n = H.uniq("semluv")
  names[#names + 1] = n
  return n
end

describe("ipc.sem and ipc.filelock under luv", function()
  before_each(function() names = {} end)
  after_each(function()
    for _, n in ipairs(names) do sem.remove(n) end
  end)

  it("sem:dec() in a coroutine lets the loop run until another process incs", function()
    local out = child([[
      local n = ...
      local s = assert(sem.create(n))
      -- Another process increments the semaphore half a second from now.
      os.execute(("(sleep 0.5; lua5.4 -e 'require(\"ipc.sem\").open(%q):inc()') &"):format(n))
      spawn(function()
        local before = ticks
        local r = s:dec()
        print("forever", r, ticks - before > 0, require("spec_helper").sem_count(s))
        local t0 = U.now()
        before = ticks
        r = s:dec(0.3)
        print("timed", r, ticks - before > 0, U.now() - t0 >= 0.29)
        after(200, function() s:inc() end)
        before = ticks
        r = s:dec(20)
        print("woken", r, ticks - before > 0)
        stop()
        s:close()
      end)
      uv.run()
    ]], name())
    assert.equal("forever\ttrue\ttrue\t0\ntimed\tfalse\ttrue\ttrue\nwoken\ttrue\ttrue\n", out)
  end)

  it("filelock.lock() in a coroutine lets the loop run until the holder unlocks", function()
    local path = H.tmpname()
    H.writefile(path, "line one\nold line\n")
    local out = child([[
      local path, locked_name, release_name = ...
      local locked = assert(sem.create(locked_name))
      local release = assert(sem.create(release_name))
      local holder = io.popen(U.command("lock_holder", path, "w", 0, 0,
        locked_name, release_name, "LINE ONE\nnew line\n"))
      assert(locked:dec(30))
      local f = assert(io.open(path, "r"))
      print("first", f:read("l"))
      print("try", filelock.trylock(f, "r"))
      -- During the wait another callback peeks at the file, which refills
      -- stdio's buffer with the old second line.
      after(50, function() print("peek", f:read(0)) end)
      after(100, function() release:inc() end)
      spawn(function()
        local before = ticks
        local r = filelock.lock(f, "r")
        print("lock", r, ticks - before > 0)
        print("read", f:read("l"))
        print("unlock", filelock.unlock(f))
        stop()
        f:close()
        assert(holder:close())
      end)
      uv.run()
      locked:close()
      release:close()
    ]], path, name(), name())
    os.remove(path)
    assert.equal("first\tline one\ntry\tfalse\npeek\t\nlock\ttrue\ttrue\n" ..
      "read\tnew line\nunlock\ttrue\n", out)
  end)

  it("blocks as in a plain script outside a running loop or coroutine", function()
    local path = H.tmpname()
    local out = child([[
      local n, path = ...
      local s = assert(sem.create(n))
      local function timed(label)
        local t0, before = U.now(), ticks
        local r = s:dec(0.2)
        print(label, r, U.now() - t0 >= 0.19, ticks - before)
      end
      timed("main")                               -- loop not running
      coroutine.wrap(function() timed("coroutine") end)()
      after(0, function() timed("callback") end)  -- main thread, loop running
      after(50, function() stop() end)
      uv.run()
      s:inc()
      print("dec", s:dec())
      local f = assert(io.open(path, "r"))
      after(0, function() print("lock", filelock.lock(f, "r")) end)
      uv.run()
      f:close()
      s:close()
    ]], name(), path)
    os.remove(path)
    assert.equal("main\tfalse\ttrue\t0\ncoroutine\tfalse\ttrue\t0\n" ..
      "callback\tfalse\ttrue\t0\ndec\ttrue\nlock\ttrue\n", out)
  end)

  it("reports an error of the resumed coroutine the way luv does", function()
    local ok, _, _, out, err = run([[
      local s = assert(sem.create(...))
      after(100, function() s:inc() end)
      spawn(function()
        assert(s:dec(10))
        print("resumed")
        error("boom after the wait")
      end)
      uv.run()
      print("not reached")
    ]], name())
    assert.is_nil(ok)
    assert.equal("resumed\n", out)
    assert.matches("Uncaught Error: .*boom after the wait", err)
  end)

  it("a handle closed or dropped while its wait is in flight stays valid", function()
    local out = child([[
      local n = ...
      local creator = assert(sem.create(n))
      local opened = assert(sem.open(n))
      spawn(function()
        print("closed meanwhile", opened:dec(10))
      end)
      spawn(function()
        -- Nothing but the wait refers to this handle.
        print("dropped meanwhile", assert(sem.open(n)):dec(10))
      end)
      after(50, function()
        print("close", opened:close(), tostring(opened))
        collectgarbage()
        collectgarbage()
      end)
      after(150, function() creator:inc() creator:inc() end)
      after(300, function() stop() creator:close() end)
      uv.run()
    ]], name())
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    table.sort(lines)
    assert.same({ "close\ttrue\tipc.sem (closed)", "closed meanwhile\ttrue",
      "dropped meanwhile\ttrue" }, lines)
  end)

  it("a file closed while its lock is in flight leaves no lock behind", function()
    if H.needs("ofd_locks") then return end
    local path = H.tmpname()
    local out = child([[
      local path, locked_name, release_name = ...
      local locked = assert(sem.create(locked_name))
      local release = assert(sem.create(release_name))
      local holder = io.popen(U.command("lock_holder", path, "w", 0, 0,
        locked_name, release_name))
      assert(locked:dec(30))
      local f = assert(io.open(path, "r+"))
      spawn(function()
        print("lock", filelock.lock(f, "w"))
        print("file", io.type(f))
        local g = assert(io.open(path, "r+"))
        print("free again", filelock.trylock(g, "w"))
        g:close()
        stop()
        assert(holder:close())
      end)
      after(50, function() f:close() end)
      after(150, function() release:inc() end)
      uv.run()
      locked:close()
      release:close()
    ]], path, name(), name())
    os.remove(path)
    assert.equal("lock\ttrue\nfile\tclosed file\nfree again\ttrue\n", out)
  end)

  it("resumes only the coroutine whose wait ended, not every waiting one", function()
    -- Each coroutine counts the times it suspends (the driver's suspend,
    -- the one function of more than one parameter it calls from C); woken
    -- one after the other, each must have suspended exactly once.
    local out = child([[
      local s = assert(sem.create(...))
      local n, suspends, woken = 20, {}, 0
      local function counter(i)
        return function()
          local f, caller = debug.getinfo(2, "Su"), debug.getinfo(3, "S")
          if f.what == "Lua" and f.nparams >= 2 and caller and caller.what == "C" then
            suspends[i] = suspends[i] + 1
          end
        end
      end
      for i = 1, n do
        suspends[i] = 0
        local co = coroutine.create(function()
          assert(s:dec())
          woken = woken + 1
          if woken < n then s:inc() else stop() end
        end)
        debug.sethook(co, counter(i), "c")
        after(0, function() assert(coroutine.resume(co)) end)
      end
      after(50, function() s:inc() end)
      uv.run()
      s:close()
      print(woken, table.concat(suspends, " "))
    ]], name())
    assert.equal("20\t" .. ("1 "):rep(19) .. "1\n", out)
  end)

  it("a coroutine resumed by someone else during the wait keeps waiting", function()
    local out = child([[
      local s = assert(sem.create(...))
      local co = coroutine.create(function()
        local r = s:dec(10)
        print("result", r)
        stop()
      end)
      after(0, function() assert(coroutine.resume(co)) end)
      after(50, function()
        print("spurious", coroutine.resume(co, "not the result"))
        print("status", coroutine.status(co))
      end)
      after(150, function() s:inc() end)
      uv.run()
      s:close()
    ]], name())
    assert.equal("spurious\ttrue\nstatus\tsuspended\nresult\ttrue\n", out)
  end)

  it("a program that stops the loop during an endless wait still exits", function()
    local t0 = require("spec_helper").now()
    local out = child([[
      local s = assert(sem.create(...))
      spawn(function() print("never", s:dec()) end)
      after(100, function() stop() uv.stop() end)
      uv.run()
      print("stopped")
    ]], name())
    assert.equal("stopped\n", out)
    assert.is_true(require("spec_helper").now() - t0 < 20)
  end)
  -- libuv's pool has UV_THREADPOOL_SIZE threads, 4 by default: four
  -- endless waits take them all, and every further job waits in its queue.
  it("a free semaphore or lock is taken, and a timed dec times out, while the pool is busy", function()
    local path = H.tmpname()
    H.writefile(path, "data\n")
    local out = child([[
      local s_name, w_name, t_name, path = ...
      local S = assert(sem.create(s_name))
      local W = assert(sem.create(w_name))
      local T = assert(sem.create(t_name, 1))
      local f = assert(io.open(path, "r+"))
      local released = false
      spawn(function()
        for _ = 1, 4 do coroutine.wrap(function() S:dec() end)() end
        print("free", T:dec(5), require("spec_helper").sem_count(T), released)
        print("lock", filelock.lock(f, "w"), released)
        local t0 = U.now()
        local r = W:dec(0.3)
        local dt = U.now() - t0
        print("timed", r, dt >= 0.29, dt < 1.5, released)
      end)
      after(2000, function()
        released = true
        for _ = 1, 4 do S:inc() end
        after(100, function()
          print("left", require("spec_helper").sem_count(S))
          stop()
          S:close() W:close() T:close() f:close()
        end)
      end)
      uv.run()
    ]], name(), name(), name(), path)
    os.remove(path)
    assert.equal("free\ttrue\t0\tfalse\nlock\ttrue\tfalse\n"
      .. "timed\tfalse\ttrue\ttrue\tfalse\nleft\t0\n", out)
  end)

  it("uv.walk() during a wait sees luv handles only; closing them all detaches luaipc", function()
    local out = child([[
      local s_name, w_name = ...
      local S = assert(sem.create(s_name))
      local W = assert(sem.create(w_name))
      spawn(function()
        for _ = 1, 4 do coroutine.wrap(function() S:dec() end)() end
        print("timed", W:dec(0.3))
      end)
      after(50, function()
        local seen, all_luv = 0, true
        uv.walk(function(h)
          seen = seen + 1
          all_luv = all_luv and type(h) == "userdata" and h.is_closing ~= nil
        end)
        print("walked", seen > 0, all_luv)
        uv.walk(function(h) if not h:is_closing() then h:close() end end)
        -- luaipc's poll and timer went with the others: nothing resumes the
        -- waiting coroutines any more, and uv.run() returns once this
        -- last timer has run.
        local t = uv.new_timer()
        t:start(500, 0, function()
          t:close()
          for _ = 1, 4 do S:inc() end
        end)
      end)
      uv.run()
      S:close() W:close()
      print("end")
    ]], name(), name())
    assert.equal("walked\ttrue\ttrue\nend\n", out)
  end)

  it("a program that stops the loop with more endless waits than pool threads exits", function()
    local t0 = require("spec_helper").now()
    local out = child([[
      local s = assert(sem.create(...))
      for _ = 1, 6 do spawn(function() print("never", s:dec()) end) end
      after(100, function() stop() uv.stop() end)
      uv.run()
      print("stopped")
    ]], name())
    assert.equal("stopped\n", out)
    assert.is_true(require("spec_helper").now() - t0 < 20)
  end)
end)
