-- sched_fan: N children started at once, each sleeping 0.2 s and then
-- writing 64 KiB to its stdout pipe, collected by one coroutine each under
-- a coroutine scheduler, while a ticker asks to run every 5 ms. Reports the
-- share of the ticks the ticker got (ticks, 1 = all) beside the time; the
-- check is the bytes. A wait that blocked the scheduler's thread would
-- starve the ticker; children that keep the loop busy with output would
-- measure the processor instead (1 MiB each at once left a luv program
-- 10-16 % of its ticks), hence the sleep. Ticks count from the moment the
-- last child was started: a burst of 100 spawns holds any loop.
local lib = require "lib"

local W = {}

local TICK = 0.005
local ARGS = { "-c", "sleep 0.2; exec head -c 65536 /dev/zero" }

local function spawn(proc, got)
  return assert(proc.spawn({ "sh", ARGS[1], ARGS[2] }, {
    stdout = true, callback = lib.counter(got),
  }))
end

-- The ticker: tick() counts, started() marks the end of the spawns.
local function ticker()
  local t = { n = 0 }
  function t.tick() if t.from then t.n = t.n + 1 end end
  function t.started() t.from = lib.now() end
  return t
end

-- The coroutine of one child: starts it and waits for it, counting into
-- `c` (bytes, spawned, done); true when it was the last of n.
local function child_task(proc, c, tk, n)
  local h = spawn(proc, c)
  c.spawned = c.spawned + 1
  if c.spawned == n then tk.started() end
  assert(h:wait())
  h:close()
  c.done = c.done + 1
  return c.done == n
end

local function result(t0, tk, got)
  local now = lib.now()
  return now - t0, got, { ticks = math.min(1, tk.n * TICK / (now - tk.from)) }
end

-- cqueues: the scheduler of ipc.cqueues suspends each waiting coroutine
-- on luaipc's pollable descriptor.
function W.luaipc_cq(n)
  local ok, cqueues = pcall(require, "cqueues")
  if not ok then lib.skip("cqueues not installed") end
  local proc = require "ipc.proc"
  local ok2 = pcall(require, "ipc.cqueues")
  if not ok2 then lib.skip("ipc.cqueues not available") end
  n = tonumber(n)
  local c, tk = { bytes = 0, spawned = 0, done = 0 }, ticker()
  local t0 = lib.now()
  local cq = cqueues.new()
  cq:wrap(function()
    while c.done < n do
      cqueues.sleep(TICK)
      tk.tick()
    end
  end)
  for _ = 1, n do
    cq:wrap(function() child_task(proc, c, tk, n) end)
  end
  assert(cq:loop())
  return result(t0, tk, c.bytes)
end

-- luv mode: the same with luv's loop, a luv timer as the ticker.
function W.luaipc_luv(n)
  local uv = require "luv"
  local proc = require "ipc.proc"
  n = tonumber(n)
  local c, tk = { bytes = 0, spawned = 0, done = 0 }, ticker()
  local t0 = lib.now()
  local timer = uv.new_timer()
  timer:start(TICK * 1000, TICK * 1000, tk.tick)
  local states = {}
  for i = 1, n do
    states[i] = lib.start_luv(uv, function()
      if child_task(proc, c, tk, n) then timer:close() end
    end)
  end
  uv.run()
  for _, state in ipairs(states) do lib.check_luv(state) end
  return result(t0, tk, c.bytes)
end

-- luv alone: uv.spawn with a pipe and an exit callback per child.
function W.luv(n)
  local uv = require "luv"
  n = tonumber(n)
  local got, tk, done = 0, ticker(), 0
  local t0 = lib.now()
  local ticker = uv.new_timer()
  ticker:start(TICK * 1000, TICK * 1000, tk.tick)
  for _ = 1, n do
    local out, exited, eof = uv.new_pipe(false), false, false
    local child
    local function finish()
      if exited and eof then
        done = done + 1
        if done == n then ticker:close() end
      end
    end
    child = assert(uv.spawn("sh", {
      args = ARGS, stdio = { 0, out, 2 },
    }, function(code)
      assert(code == 0)
      child:close()
      exited = true
      finish()
    end))
    out:read_start(function(err, data)
      assert(not err, err)
      if data then
        got = got + #data
      else
        out:close()
        eof = true
        finish()
      end
    end)
  end
  tk.started()
  uv.run()
  return result(t0, tk, got)
end

return W
