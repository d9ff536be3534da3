-- Regressions of ipc.proc and of waits under luv found by trying to break
-- them (docs/contract.md, "ipc.proc: errors and signals", "Processes that
-- fork, threads, and hostile finalizers", "Inside a luv program: waits that
-- don't occupy libuv's thread pool"). Each runs in a child lua5.4, started
-- under `timeout`, so that a crash or a hang fails one test.
require "spec_helper"

-- Runs Lua `code` as `sh -c "<shell>; exec <launcher> lua5.4 script"`;
-- returns what the child printed, asserting it exited with status 0.
local function child(code, how, ...)
  how = how or {}
  local script = H.tmpfile(code)
  local args = {}
  for i = 1, select("#", ...) do args[i] = H.shquote(select(i, ...)) end
  local out, err = H.tmpfile(), H.tmpfile()
  local ok, what, status = os.execute(("timeout -s KILL 60 sh -c %s >%s 2>%s")
    :format(H.shquote(("%s; exec %s %s %s %s"):format(how.shell or ":",
      how.launcher or "", H.LUA, script, table.concat(args, " "))), out, err))
  local o, e = H.readfile(out), H.readfile(err)
  assert(ok, ("child failed (%s %s):\n%s%s"):format(what, status, o, e))
  return o
end

describe("ipc.proc reliability", function()
  after_each(H.cleanup)

  it("returns EMFILE at the first spawn whatever few descriptors are free", function()
    local out = child([[
      local proc = require "ipc.proc"
      local free = tonumber(...)
      local files = {}
      while true do
        local f = io.open("/dev/null")
        if not f then break end
        files[#files + 1] = f
      end
      for _ = 1, free do table.remove(files):close() end
      local h, msg, code = proc.spawn({ "true" })
      print(h and "started" or code)
      for _, f in ipairs(files) do f:close() end
      if h then h:wait() h:close() end
      -- With descriptors again, the next spawn works.
      local r = proc.run({ "echo", "ok" })
      io.write(r.stdout)
    ]], { shell = "ulimit -n 64" }, "0")
    assert.equal("24\nok\n", out)
    for free = 1, 2 do
      local o = child(([[
        local proc = require "ipc.proc"
        local files = {}
        while true do
          local f = io.open("/dev/null")
          if not f then break end
          files[#files + 1] = f
        end
        for _ = 1, %d do table.remove(files):close() end
        local h, msg, code = proc.spawn({ "true" })
        print(h and "started" or code)
      ]]):format(free), { shell = "ulimit -n 64" })
      assert.equal("24\n", o, "with " .. free .. " free")
    end
  end)

  it("never invents a status when the host ignores SIGCHLD", function()
    for _, no_pidfd in ipairs { "0", "1" } do
      local out = child([[
        local proc = require "ipc.proc"
        local seen = {}
        for _ = 1, 20 do
          local h = assert(proc.spawn({ "sh", "-c", "exit 3" }))
          local ok, what, code = h:wait()
          seen[#seen + 1] = tostring(ok) .. " " .. what .. " " .. code
          h:close()
        end
        local r = proc.run({ "sh", "-c", "exit 7" })
        for _, s in ipairs(seen) do
          assert(s == "nil exit 3" or s == "nil No child processes 10", s)
        end
        print(r.ok, r.what == "unknown" or r.what .. r.code)
      ]], { launcher = "env --ignore-signal=CHLD IPC_PROC_NO_PIDFD=" .. no_pidfd })
      assert.equal("nil\ttrue\n", out, "IPC_PROC_NO_PIDFD=" .. no_pidfd)
    end
  end)

  it("leaves the host's SIGCHLD disposition alone on both exit watchers", function()
    for _, no_pidfd in ipairs { "0", "1" } do
      local out = child([[
        local proc = require "ipc.proc"
        local function chld()
          local s = io.open("/proc/self/status"):read("a")
          local bit = 1 << (17 - 1)
          if tonumber(s:match("SigIgn:%s*(%x+)"), 16) & bit ~= 0 then return "ignored" end
          if tonumber(s:match("SigCgt:%s*(%x+)"), 16) & bit ~= 0 then return "caught" end
          return "default"
        end
        local before = chld()
        local h = assert(proc.spawn({ "sleep", "0.2" }))
        local during = chld()
        print(before, during, h:wait())
      ]], { launcher = "env --ignore-signal=CHLD IPC_PROC_NO_PIDFD=" .. no_pidfd })
      assert.matches("^ignored\tignored\tnil\tNo child processes\t10\n$", out)
    end
  end)

  it("keeps a group's other members until the handle is closed", function()
    local out = child [[
      local proc = require "ipc.proc"
      local got = {}
      local h = assert(proc.spawn({ "sh", "-c", "sleep 30 & echo $!" },
        { group = true, stdout = true, callback = function(_, d) got[#got + 1] = d end }))
      print(h:wait())
      local bg = tonumber(table.concat(got))
      local function alive()  -- running, not a zombie waiting for a reaper
        local f = io.open("/proc/" .. bg .. "/stat")
        local st = f and f:read("a")
        if f then f:close() end
        return st ~= nil and st:match("%) (%a)") ~= "Z"
      end
      print("after wait", alive(), h:kill("cont"))
      h:close()
      os.execute("sleep 0.2")
      print("after close", alive())
    ]]
    assert.equal("true\texit\t0\nafter wait\ttrue\ttrue\nafter close\tfalse\n", out)
  end)

  -- Each wait of the SPEC's list, with what makes it wait for ever.
  local waits = {
    { "h:wait()" },
    { "proc.run({ 'sleep', '30' })" },
    { "proc.wait_any({ h })" },
    { "h3:read('l')", [[
      local h3 = assert(proc.spawn({ "sleep", "30" }, { stdout = true }))]] },
    { "(proc.lines({ 'sleep', '30' }))()" },
    { "h2:drain()", [[
      local h2 = assert(proc.spawn({ "sleep", "30" }, { stdin = true }))
      h2:write(("x"):rep(1 << 22))]] },
    { "filelock.lock(b, 'w')", [[
      local filelock = require "ipc.filelock"
      local path = os.tmpname()
      local a, b = io.open(path, "w"), io.open(path, "r+")
      os.remove(path)
      assert(filelock.lock(a, "w"))]], "ofd_locks" },
  }

  for _, w in ipairs(waits) do
    local call, setup, needs = w[1], w[2] or "", w[3]
    it("ends " .. call .. " with interrupted! on Ctrl-C", function()
      if needs and not require("ipc").platform[needs] then
        return pending("needs platform." .. needs)
      end
      local pidfile = H.tmpfile()
      local ready = H.tmpfile()
      os.remove(ready)
      local script = H.tmpfile(([[
        local proc = require "ipc.proc"
        local f = io.open(%q, "w") f:write(require("spec_helper").pid()) f:close()
        local h = assert(proc.spawn({ "sleep", "30" }))
        %s
        io.open(%q, "w"):close()
        local t0 = os.time()
        local ok, err = pcall(function() return %s end)
        print(ok, tostring(err):match("interrupted!"), os.time() - t0 < 10, h:pid() > 0)
        h:close()
      ]]):format(pidfile, setup, ready, call))
      local out = H.tmpfile()
      os.execute(("(timeout -s KILL 60 %s %s > %s 2>&1 &)"):format(H.LUA, script, out))
      for _ = 1, 500 do
        if io.open(ready) then break end
        H.sleep(0.02)
      end
      H.sleep(0.3)
      os.execute("kill -INT " .. H.readfile(pidfile))
      local text
      for _ = 1, 500 do
        text = H.readfile(out)
        if text:find("\n") then break end
        H.sleep(0.02)
      end
      assert.equal("false\tinterrupted!\ttrue\ttrue\n", text, call)
    end)
  end

  it("lets later coroutines wait after one was left inside a callback", function()
    local out = child [[
      local proc = require "ipc.proc"
      local h1 = assert(proc.spawn({ "echo", "x" }, { stdout = true,
        callback = function() coroutine.yield("in callback") end }))
      local co = coroutine.create(function() return h1:wait() end)
      print(coroutine.resume(co))
      coroutine.close(co)
      co = nil
      collectgarbage() collectgarbage()  -- later coroutines may reuse its memory
      -- Later coroutines (which may reuse its memory) wait for h1 itself.
      for _ = 1, 10 do
        local ok, what = coroutine.wrap(function() return pcall(h1.wait, h1) end)()
        assert(ok and what == true, tostring(what))
      end
      h1:close()
      print("ok")
    ]]
    assert.equal("true\tin callback\nok\n", out)
  end)

  it("raises for NaN timeouts and NUL bytes in strings for the OS", function()
    local out = child [[
      local proc = require "ipc.proc"
      local function raises(f, ...) return not pcall(f, ...) end
      local h = assert(proc.spawn({ "sleep", "5" }))
      print(raises(h.wait, h, 0/0))
      print(raises(proc.spawn, { "true" }, { timeout = 0/0 }))
      print(raises(proc.spawn, { "true" }, { drain_timeout = 0/0 }))
      print(raises(proc.spawn, { "true" }, { env = { X = "abc\0def" } }))
      print(raises(proc.spawn, { "true" }, { env = { ["X\0Y"] = "1" } }))
      print(raises(proc.spawn, { "true" }, { cwd = "/tmp\0/does-not-exist" }))
      print(raises(proc.spawn, { "true" }, { stdotu = true }))
      h:close()
    ]]
    assert.equal(("true\n"):rep(7), out)
  end)

  it("names what failed when a spawn fails", function()
    local out = child [[
      local proc = require "ipc.proc"
      print(proc.spawn({ "nosuchprog-ipc" }))
      print(proc.spawn({ "true" }, { cwd = "/does/not/exist" }))
    ]]
    assert.equal("nil\tnosuchprog-ipc: No such file or directory\t2\n"
      .. "nil\tcwd /does/not/exist: No such file or directory\t2\n", out)
  end)

  it("keeps every queued string until it is sent, write after write", function()
    local out = child [[
      local proc = require "ipc.proc"
      local loop = require "ipc.loop"
      local got = {}
      local h = assert(proc.spawn({ "cat" }, { stdin = true, stdout = true,
        callback = function(_, d) got[#got + 1] = d end }))
      local want = {}
      for i = 1, 40 do
        local s = string.char(64 + i):rep(100000 + i)
        want[#want + 1] = s
        h:write(s)
        s = nil
        loop.step()  -- what was sent so far is let go
        collectgarbage() collectgarbage()
      end
      h:write(proc.EOF)
      h:wait()
      print(table.concat(got) == table.concat(want))
      h:close()
    ]]
    assert.equal("true\n", out)
  end)

  it("sends a string over 4 GiB whole", function()
    if H.SANITIZED then
      pending("4 GiB strings are left to the normal build")
      return
    end
    local out = child [[
      local proc = require "ipc.proc"
      -- string.rep stops at 2 GiB; a concatenation does not.
      local half = string.rep("x", 2147483640)
      local s = half .. half .. string.rep("y", 32)
      local r = assert(proc.run({ "wc", "-c" }, { input = s }))
      print(r.stdout:match("%d+"))
    ]]
    assert.equal("4294967312\n", out)
  end)
end)

describe("waits under luv", function()
  after_each(H.cleanup)

  it("leave libuv's thread pool free: 16 endless waits, uv.fs_stat still completes", function()
    local n = H.sem_name()
    local out = child([[
      local uv = require "luv"
      local sem = require "ipc.sem"
      local s = assert(sem.create(...))
      local done = 0
      local t = uv.new_timer()
      t:start(0, 0, function()
        t:close()
        for _ = 1, 16 do
          coroutine.wrap(function() assert(s:dec()); done = done + 1 end)()
        end
        uv.fs_stat("/", function(err, st)
          print("stat", err, st and st.type, done)
          for _ = 1, 16 do s:inc() end
        end)
      end)
      uv.run()
      print("done", done)
      s:close()
    ]], nil, n)
    assert.equal("stat\tnil\tdirectory\t0\ndone\t16\n", out)
  end)

  it("let a program stopped during a lock wait exit at once", function()
    local path = H.tmpfile("data")
    local out = child([[
      local uv = require "luv"
      local proc = require "ipc.proc"
      local filelock = require "ipc.filelock"
      local path = ...
      local holder = assert(proc.spawn({ "lua5.4", "-e", ([=[
        local f = assert(io.open(%q, "r+"))
        assert(require("ipc.filelock").lock(f, "w"))
        io.write("locked\n") io.flush()
        os.execute("sleep 300")
      ]=]):format(path) }, { stdout = true, group = true, callback = function(_, d)
        if d and d:find("locked") then
          coroutine.wrap(function()
            local f = assert(io.open(path, "r+"))
            print("never", filelock.lock(f, "w"))
          end)()
          local t = uv.new_timer()
          t:start(100, 0, function() t:close(); print("stopping"); uv.stop() end)
        end
      end }))
      uv.run()
      print("stopped")
      -- The holder is still running; the state closes with the wait pending.
    ]], nil, path)
    assert.equal("stopping\nstopped\n", out)
  end)

  it("let a coroutine resumed inside a main-thread wait after uv.stop() wait again", function()
    local out = child [[
      local uv = require "luv"
      local proc = require "ipc.proc"
      local h1 = assert(proc.spawn({ "sleep", "0.3" }))
      local t = uv.new_timer()
      t:start(0, 0, function()
        t:close()
        coroutine.wrap(function()
          print("first", h1:wait())
          local h3 = assert(proc.spawn({ "sh", "-c", "exit 4" }))
          print("again", h3:wait())
        end)()
        uv.stop()
      end)
      uv.run()
      local h2 = assert(proc.spawn({ "sleep", "0.5" }))
      print("main", h2:wait())
      uv.run()
    ]]
    assert.equal("first\ttrue\texit\t0\nagain\tnil\texit\t4\nmain\ttrue\texit\t0\n", out)
  end)
end)

describe("ipc.proc methods whose handle a finalizer closes meanwhile", function()
  it("never touch freed memory: write, wait with callbacks", function()
    local out = child [[
      local proc = require "ipc.proc"
      collectgarbage("incremental", 0, 100)  -- a new cycle at once, big steps
      local during = 0
      for i = 1, 150 do
        local got = {}
        local h = assert(proc.spawn({ "cat" }, { stdin = true, stdout = true,
          callback = function(_, d) got[#got + 1] = d end }))
        setmetatable({}, { __gc = function() pcall(h.close, h) end })
        local ok1 = pcall(h.write, h, "a", i, "b\n", ("x"):rep(1000), proc.EOF)
        local ok2, r = pcall(h.wait, h)
        if not (ok1 and ok2) or tostring(h):find("closed") then during = during + 1 end
        pcall(h.close, h)
      end
      print(during > 0)
    ]]
    assert.equal("true\n", out)
  end)
end)
