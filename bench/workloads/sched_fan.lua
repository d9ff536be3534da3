-- sched_fan: N children started at once, each writing 1 MiB to its stdout
-- pipe, collected by one coroutine each under a coroutine scheduler, while
-- a ticker asks to run every 5 ms. Reports the share of the ticks the
-- ticker got (ticks, 1 = all) beside the time; the check is the bytes.
local lib = require "lib"

local W = {}

local SIZE, TICK = 1048576, 0.005

local function spawn(proc, got)
  return assert(proc.spawn({ "head", "-c", tostring(SIZE), "/dev/zero" }, {
    stdout = true,
    callback = function(_, data, msg)
      if not data then error(msg) end
      got.bytes = got.bytes + #data
    end,
  }))
end

local function result(t0, ticks, got)
  local secs = lib.now() - t0
  return secs, got, { ticks = math.min(1, ticks * TICK / secs) }
end

-- cqueues: the scheduler of ipc.cqueues suspends each waiting coroutine
-- on luaipc's pollable descriptor.
function W.luaipc_cq(n)
  local ok, cqueues = pcall(require, "cqueues")
  if not ok then lib.skip("cqueues not installed") end
  local proc = require "ipc.proc"
  local ok2, err = pcall(require, "ipc.cqueues")
  if not ok2 then lib.skip("ipc.cqueues not available: " .. tostring(err):match("[^\n]*")) end
  n = tonumber(n)
  local got, ticks, done = { bytes = 0 }, 0, 0
  local t0 = lib.now()
  local cq = cqueues.new()
  cq:wrap(function()
    while done < n do
      cqueues.sleep(TICK)
      ticks = ticks + 1
    end
  end)
  for _ = 1, n do
    cq:wrap(function()
      local h = spawn(proc, got)
      assert(h:wait())
      h:close()
      done = done + 1
    end)
  end
  assert(cq:loop())
  return result(t0, ticks, got.bytes)
end

-- luv mode: the same with luv's loop, a luv timer as the ticker.
function W.luaipc_luv(n)
  local uv = require "luv"
  local proc = require "ipc.proc"
  n = tonumber(n)
  local got, ticks, done = { bytes = 0 }, 0, 0
  local t0 = lib.now()
  local ticker = uv.new_timer()
  ticker:start(TICK * 1000, TICK * 1000, function() ticks = ticks + 1 end)
  local states = {}
  for i = 1, n do
    states[i] = lib.start_luv(uv, function()
      local h = spawn(proc, got)
      assert(h:wait())
      h:close()
      done = done + 1
      if done == n then ticker:close() end
    end)
  end
  uv.run()
  for _, state in ipairs(states) do lib.check_luv(state) end
  return result(t0, ticks, got.bytes)
end

-- luv alone: uv.spawn with a pipe and an exit callback per child.
function W.luv(n)
  local uv = require "luv"
  n = tonumber(n)
  local got, ticks, done = 0, 0, 0
  local t0 = lib.now()
  local ticker = uv.new_timer()
  ticker:start(TICK * 1000, TICK * 1000, function() ticks = ticks + 1 end)
  for _ = 1, n do
    local out, exited, eof = uv.new_pipe(false), false, false
    local child
    local function finish()
      if exited and eof then
        done = done + 1
        if done == n then ticker:close() end
      end
    end
    child = assert(uv.spawn("head", {
      args = { "-c", tostring(SIZE), "/dev/zero" }, stdio = { 0, out, 2 },
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
  uv.run()
  return result(t0, ticks, got)
end

return W
