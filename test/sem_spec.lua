local sem = require "ipc.sem"

local E = H.E
local EINVAL, ENOENT, EEXIST, ENAMETOOLONG, EOVERFLOW =
  E.EINVAL, E.ENOENT, E.EEXIST, E.ENAMETOOLONG, E.EOVERFLOW
local SEM_VALUE_MAX = 2147483647

-- h:value(), or where the platform cannot tell it a count taken by
-- decrementing and giving back (only this process uses it meanwhile).
local value = H.sem_value

-- Names created by a test, removed again afterwards whatever happened.
local name = H.sem_name

local function exists(n)
  local h = sem.open(n)
  if h then h:close() end
  return h ~= nil
end

-- Starts a child helper; returns its popen handle (read it for the output).
local function start(helper, ...)
  return assert(io.popen(H.command(helper, ...), "r"))
end

-- Reads what a sem_waiter child printed.
local function waiter_result(p)
  local out = p:read("a")
  assert(p:close(), "waiter failed: " .. out)
  local ok, r, elapsed, value = out:match("^(%S+) (%S+) (%S+) (%S+)\n$")
  assert(ok, "unexpected output: " .. out)
  return ok == "true", r, tonumber(elapsed), tonumber(value)
end

describe("ipc.sem", function()
  after_each(H.cleanup)

  it("does not touch the global table", function()
    local out = H.in_child([[
      local before = {}
      for k in pairs(_G) do before[k] = true end
      require "ipc.sem"
      require "ipc.filelock"
      for k in pairs(_G) do
        if not before[k] then io.write(tostring(k), " ") end
      end
    ]])
    assert.equal("", out)
  end)

  it("creates, counts and has the handle lifecycle", function()
    local n = name()
    local h = assert(sem.create(n))
    assert.matches("^ipc%.sem %(0x%x+%)$", tostring(h))
    assert.equal("ipc.sem", getmetatable(h).__name)
    assert.equal(0, value(h))
    assert.is_true(h:inc())
    assert.is_true(h:inc())
    assert.equal(2, value(h))
    assert.is_true(h:dec())
    assert.is_true(h:dec(0))
    assert.is_false(h:dec(0))
    assert.equal(0, value(h))
    assert.is_true(h:close())
    assert.equal("ipc.sem (closed)", tostring(h))
    for _, m in ipairs { "close", "inc", "dec", "value" } do
      assert.has_error(function() h[m](h) end, "attempt to use a closed handle")
    end
  end)

  it("shares the value between processes", function()
    local n = name()
    local h = assert(sem.create(n, 3))
    local out = H.in_child(([[
      local sem = require "ipc.sem"
      local h = assert(sem.open(%q))
      assert(h:dec(0) == true and h:dec(0) == true)
      io.write(require("spec_helper").sem_value(h))
      h:inc() h:inc() h:inc() h:inc()
      h:close()
    ]]):format(n))
    assert.equal("1", out)
    assert.equal(5, value(h))
    h:close()
  end)

  it("open with n creates and fails when the name exists", function()
    local n = name()
    local h = assert(sem.open(n, 2))
    assert.equal(2, value(h))
    local ok, msg, code = sem.open(n, 1)
    assert.is_nil(ok)
    assert.is_string(msg)
    assert.equal(EEXIST, code)
    ok, msg, code = sem.create(n)
    assert.is_nil(ok)
    assert.equal(EEXIST, code)
    local other = assert(sem.open(n))
    assert.equal(2, value(other))
    other:close()
    h:close()
  end)

  it("open without n (or with 0) opens an existing semaphore only", function()
    local n = name()
    for _, args in ipairs { { n }, { n, 0 } } do
      local ok, msg, code = sem.open(table.unpack(args))
      assert.is_nil(ok)
      assert.equal(n .. ": " .. H.MSG.ENOENT, msg)
      assert.equal(ENOENT, code)
    end
    assert.is_false(exists(n))
  end)

  it("creates at 0, where dec(0) fails", function()
    local n = name()
    local h = assert(sem.create(n, 0))
    assert.equal(0, value(h))
    assert.is_false(h:dec(0))
    h:close()
  end)

  it("rejects invalid names with nil, message, code", function()
    for _, bad in ipairs { "", "a/b", "/x", ("x"):rep(256), ("x"):rep(252),
                           ".", ".." } do
      for _, f in ipairs { sem.open, sem.create, sem.remove } do
        local ok, msg, code = f(bad, 1)
        assert.is_nil(ok)
        assert.is_string(msg)
        assert.is_true(code == EINVAL or code == ENAMETOOLONG, tostring(code))
      end
    end
    local longest = name(name():sub(1, 1) .. ("y"):rep(H.platform.sem_name_max - 1))
    local h = assert(sem.create(longest, 1))
    h:close()
  end)

  it("raises on misuse", function()
    local n = name()
    assert.has_error(function() sem.create(n, -1) end)
    assert.has_error(function() sem.create(n, SEM_VALUE_MAX + 1) end)
    assert.has_error(function() sem.open(n, -1) end)
    assert.has_error(function() sem.create(n, 1.5) end)
    assert.has_error(function() sem.create(n, 1, -1) end)
    assert.has_error(function() sem.create(n, 1, 01000) end)
    assert.has_error(function() sem.create({}) end)
    assert.has_error(function() sem.remove() end)
    assert.is_false(exists(n))
    local h = assert(sem.create(n))
    assert.has_error(function() h:dec(0 / 0) end, nil)
    assert.has_error(function() h:dec("x") end)
    assert.has_error(function() h.inc(io.stdout) end)
    h:close()
  end)

  it("reaches SEM_VALUE_MAX and reports an overflow", function()
    local n = name()
    local h = assert(sem.create(n, SEM_VALUE_MAX))
    if H.CAN.sem_value then assert.equal(SEM_VALUE_MAX, value(h)) end
    local ok, msg, code = h:inc()
    assert.is_nil(ok)
    assert.is_string(msg)
    assert.equal(EOVERFLOW, code)
    h:close()
  end)

  it("creates with mode 0600 unless a mode is given", function()
    if H.lacks("posix_tools") then return end -- stat of /dev/shm
    local function mode_of(n)
      local p = io.popen("stat -c %a /dev/shm/sem." .. n)
      local m = p:read("l")
      p:close()
      return m
    end
    local a, b = name(), name()
    local ha = assert(sem.create(a))
    local hb = assert(sem.open(b, 1, tonumber("640", 8)))
    assert.equal("600", mode_of(a))
    assert.equal("640", mode_of(b))
    ha:close()
    hb:close()
  end)

  it("dec(t) returns false after about t seconds", function()
    local h = assert(sem.create(name()))
    for _, t in ipairs { 0.3, 0.05 } do
      local t0 = H.now()
      assert.is_false(h:dec(t))
      local elapsed = H.now() - t0
      assert.is_true(elapsed >= t - 0.011, tostring(elapsed))
      assert.is_true(elapsed < t + 3, tostring(elapsed))
    end
    h:close()
  end)

  it("a blocked dec is woken by another process's inc", function()
    local n, ready = name(), name()
    local h = assert(sem.create(n))
    local r = assert(sem.create(ready))
    local p = start("sem_waiter", n, ready, "forever")
    assert.is_true(r:dec(30))
    H.sleep(0.2)
    assert.is_true(h:inc())
    local ok, res, _, value = waiter_result(p)
    assert.is_true(ok)
    assert.equal("true", res)
    assert.equal(0, value)
    -- And the other way round: this process waits with a timeout.
    local t0 = H.now()
    local ping = H.command("sem_ping", ready, n, 1)
    local q = io.popen(H.WINDOWS and ping or ("sleep 0.2; %s"):format(ping))
    assert.is_true(r:inc())
    assert.is_true(h:dec(20))
    assert.is_true(H.now() - t0 < 20)
    assert.is_true(q:close())
    h:close()
    r:close()
  end)

  it("a timed wait of another process returns false after its timeout", function()
    local n, ready = name(), name()
    local h = assert(sem.create(n))
    local r = assert(sem.create(ready))
    local p = start("sem_waiter", n, ready, "0.4")
    local ok, res, elapsed = waiter_result(p)
    assert.is_true(ok)
    assert.equal("false", res)
    assert.is_true(elapsed >= 0.39 and elapsed < 5, tostring(elapsed))
    h:close()
    r:close()
  end)

  -- lua5.4 installs a SIGINT handler while it runs a script, which asks
  -- for "interrupted!" at the next Lua instruction. A wait in sem:dec()
  -- notices it within a fraction of a second and ends with that error, as
  -- Lua code would be interrupted (docs/contract.md, "ipc.proc: errors and
  -- signals"); the waiter catches it.
  local function interrupted_wait(timeout, inc_after)
    H.lacks("posix_tools") -- kill -INT
    local n, ready = name(), name()
    local h = assert(sem.create(n))
    local r = assert(sem.create(ready))
    local pidfile = H.tmpname()
    local p = start("sem_waiter", n, ready, timeout, pidfile)
    assert.is_true(r:dec(30))
    H.sleep(0.2)
    local pid = H.readfile(pidfile)
    os.remove(pidfile)
    assert.is_true(os.execute("kill -INT " .. pid))
    if inc_after then
      H.sleep(inc_after)
      h:inc()
    end
    local ok, res, elapsed, value = waiter_result(p)
    h:close()
    r:close()
    return ok, res, elapsed, value
  end

  it("Ctrl-C during a timed wait ends it with interrupted!", function()
    local ok, res, elapsed, value = interrupted_wait("10")
    assert.is_false(ok)
    assert.matches("interrupted!", res)
    assert.is_true(elapsed < 9, tostring(elapsed))
    assert.equal(0, value)
  end)

  it("Ctrl-C during an endless wait ends it; a later post stays", function()
    local ok, res, _, value = interrupted_wait("forever", 0.5)
    assert.is_false(ok)
    assert.matches("interrupted!", res)
    assert.equal(0, value) -- read right after the wait, before the inc
  end)

  it("remove deletes the name; open handles keep working", function()
    if H.lacks("persistent_names") then return end
    local n = name()
    local h = assert(sem.create(n, 1))
    assert.is_true(sem.remove(n))
    assert.is_false(exists(n))
    assert.is_true(h:inc())
    assert.equal(2, value(h))
    local ok, msg, code = sem.remove(n)
    assert.is_nil(ok)
    assert.is_string(msg)
    assert.equal(ENOENT, code)
    assert.is_true(h:close()) -- the name is gone: nothing left to remove
  end)

  it("the creator's close leaves a successor of the name alone", function()
    if H.lacks("persistent_names") or H.lacks("sem_identity") then return end
    local n = name()
    local old = assert(sem.create(n))
    assert.is_true(sem.remove(n))
    -- Another process creates a new semaphore under the same name and
    -- exits without closing it (os.exit skips the finalizers).
    local ok, _, _, out, err = H.run_lua(
      [[assert(require("ipc.sem").create(..., 3)) os.exit(0)]], n)
    assert(ok, out .. err)
    assert.is_true(old:close())
    local h = assert(sem.open(n))
    assert.equal(3, value(h))
    h:close()
  end)

  it("the creator's close removes the name; other handles keep working", function()
    if H.lacks("persistent_names") then return end
    local n, ready = name(), name()
    local creator = assert(sem.create(n))
    local other = assert(sem.open(n))
    local r = assert(sem.create(ready))
    local p = start("sem_waiter", n, ready, "20")
    assert.is_true(r:dec(30))
    assert.is_true(creator:close())
    assert.is_false(exists(n))
    assert.is_true(other:inc()) -- reaches the waiter through the old name
    local ok, res = waiter_result(p)
    assert.is_true(ok)
    assert.equal("true", res)
    assert.equal(0, value(other))
    assert.is_true(other:close())
    r:close()
  end)

  it("an opener's close keeps the name", function()
    local n = name()
    local creator = assert(sem.create(n))
    assert(sem.open(n)):close()
    assert.is_true(exists(n))
    creator:close()
    assert.is_false(exists(n))
  end)

  it("__gc and __close of the creator remove the name", function()
    local a, b = name(), name()
    local h = assert(sem.create(a))
    h = nil
    collectgarbage()
    collectgarbage()
    assert.is_false(exists(a))
    do
      local c <close> = assert(sem.create(b))
      assert.is_true(exists(b))
    end
    assert.is_false(exists(b))
  end)
end)

-- The promises of docs/contract.md, "ipc.sem", one test each, written from
-- the contract alone; where the contract is ambiguous the reading tested
-- is said in the test.
describe("ipc.sem: each documented promise", function()
  after_each(H.cleanup)
  local now = H.now

  it("open(name, n) creates with n, failing if the name exists", function()
    local n = name()
    local h = assert(sem.open(n, 3))
    assert.equal(3, value(h))
    H.assert_fail(EEXIST, sem.open(n, 1))
    h:close()
  end)

  it("the creator by open(name, n) also removes the name on close", function()
    local n = name()
    local h = assert(sem.open(n, 1))
    local o = assert(sem.open(n))
    assert.is_true(o:close())
    assert.is_true(assert(sem.open(n)):close())
    assert.is_true(h:close())
    H.assert_fail(ENOENT, sem.open(n))
  end)

  it("open(name) and open(name, 0) open an existing one, else fail", function()
    local n = name()
    H.assert_fail(ENOENT, sem.open(n))
    H.assert_fail(ENOENT, sem.open(n, 0))
    local h = assert(sem.open(n, 2))
    local a, b = assert(sem.open(n)), assert(sem.open(n, 0))
    assert.equal(2, value(a))
    assert.is_true(a:dec(0))
    assert.equal(1, value(b))
    a:close()
    b:close()
    h:close()
  end)

  it("create(name) starts at 0, create(name, n) at n, failing if the name exists", function()
    local n = name()
    local h = assert(sem.create(n))
    assert.equal(0, value(h))
    assert.is_false(h:dec(0))
    H.assert_fail(EEXIST, sem.create(n))
    H.assert_fail(EEXIST, sem.create(n, 4))
    h:close()
    h = assert(sem.create(n, 4))
    assert.equal(4, value(h))
    h:close()
  end)

  it("inc and dec across processes; dec(0) tries; value", function()
    local n = name()
    local h = assert(sem.create(n))
    H.in_child([[
      local s = assert(require("ipc.sem").open(...))
      assert(s:inc() == true)
      assert(s:inc() == true)
      s:close()
    ]], n)
    assert.equal(2, value(h))
    assert.is_true(h:dec(0))
    assert.is_true(h:dec())
    assert.is_false(h:dec(0))
    assert.equal(0, value(h))
    h:close()
  end)

  it("dec(t) returns false after about t seconds; fractions allowed", function()
    local h = assert(sem.create(name()))
    local t0 = now()
    assert.is_false(h:dec(0.3))
    local dt = now() - t0
    assert.is_true(dt >= 0.28 and dt < 5, tostring(dt))
    h:close()
  end)

  it("dec() waits forever; dec(-1) too: another process's inc ends it", function()
    local n = name()
    local h = assert(sem.create(n))
    for _, args in ipairs { {}, { -1 }, { 2.5 } } do
      local c = H.spawn_lua([[
        require("spec_helper").sleep(0.3)
        local s = assert(require("ipc.sem").open(...))
        s:inc()
      ]], n)
      local t0 = now()
      assert.is_true(h:dec(table.unpack(args)))
      assert.is_true(now() - t0 >= 0.2)
      assert(c.wait())
    end
    h:close()
  end)

  it("a child exiting (SIGCHLD) during a timed wait does not end it early", function()
    -- libuv's SIGCHLD handler is installed by proc.spawn; a child that
    -- exits during the wait interrupts sem_timedwait with EINTR.
    if H.lacks("proc") or H.lacks("posix_tools") then return end
    local out = H.in_child([[
      local sem, proc = require "ipc.sem", require "ipc.proc"
      local s = assert(sem.create(...))
      local p = assert(proc.spawn({ "sleep", "0.1" }))
      local function now() return tonumber(io.open("/proc/uptime"):read("n")) end
      local t0 = now()
      local r = table.pack(s:dec(0.6))
      local dt = now() - t0
      print(r.n, r[1], dt >= 0.55)
      p:wait()
      p = assert(proc.spawn({ "sh", "-c", "sleep 0.1; exit 0" }))
      local c = io.popen("sleep 0.4; lua5.4 -e 'require(\"ipc.sem\").open(\"" .. ... .. "\"):inc()'")
      print(s:dec())
      c:close()
      p:wait()
      s:close()
    ]], name())
    assert.equal("1\tfalse\ttrue\ntrue\n", out)
  end)

  it("the creator's close removes the name; other handles keep working", function()
    if H.lacks("persistent_names") then return end
    local n = name()
    local h = assert(sem.create(n, 1))
    local o = assert(sem.open(n))
    assert.is_true(h:close())
    H.assert_fail(ENOENT, sem.open(n))
    assert.is_true(o:inc())
    assert.equal(2, value(o))
    assert.is_true(o:close())
  end)

  it("an opener's close keeps the name; remove removes it", function()
    if H.lacks("persistent_names") then return end
    local n = name()
    local h = assert(sem.create(n))
    assert.is_true(assert(sem.open(n)):close())
    assert.is_true(assert(sem.open(n)):close())
    assert.is_true(sem.remove(n))
    H.assert_fail(ENOENT, sem.open(n))
    assert.is_true(h:inc())
    assert.is_true(h:close()) -- the name was removed already: still true
    H.assert_fail(ENOENT, sem.remove(n))
  end)
end)
