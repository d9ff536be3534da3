-- waits_luv: N coroutines of a luv program suspended at once, each waiting
-- for a wake-up, then woken one after the other: each resumed coroutine
-- sends the next wake-up. Reports the growth of the resident set per
-- suspended wait (per_wait, bytes) and the median time from a wake-up sent
-- to its coroutine running (latency, seconds); the time is that of the N
-- wake-ups, the check N.
local lib = require "lib"

local W = {}

local function rss_bytes()
  collectgarbage()
  collectgarbage()
  return lib.status_kib("VmRSS") * 1024
end

local function median(t)
  table.sort(t)
  return t[(#t + 1) // 2]
end

-- `suspend()` is called in each of the N coroutines and returns when it is
-- woken; `wake()` wakes one. Everything starts from a timer callback, where
-- a luv program's waits start (waits outside uv.run() would block).
local function measure(uv, n, suspend, wake)
  n = tonumber(n)
  local lat, sent, woken = {}, 0, 0
  local extra, t0 = {}, 0
  local function send()
    sent = lib.now()
    wake()
  end
  local t = uv.new_timer()
  t:start(0, 0, function()
    t:close()
    local before = rss_bytes()
    for _ = 1, n do
      coroutine.wrap(function()
        suspend()
        lat[#lat + 1] = lib.now() - sent
        woken = woken + 1
        if woken < n then send() end
      end)()
    end
    extra.per_wait = (rss_bytes() - before) / n
    t0 = lib.now()
    send()
  end)
  uv.run()
  assert(woken == n, "not every wait was woken")
  extra.latency = median(lat)
  return lib.now() - t0, n, extra
end

-- Each coroutine in sem:dec() (no timeout); a wake-up is sem:inc().
function W.luaipc_luv(n)
  local uv = require "luv"
  local sem = require "ipc.sem"
  local s = assert(sem.create(("ipcbench-%d-waits"):format(lib.pid()), 0))
  local secs, count, extra = measure(uv, n,
    function() assert(s:dec()) end, function() s:inc() end)
  s:close()
  return secs, count, extra
end

-- luv's own way to wake a waiting coroutine across processes: a byte
-- through a pipe, whose read callback resumes the first waiter.
function W.luv(n)
  local uv = require "luv"
  local fds = assert(uv.pipe())
  local r, w = uv.new_pipe(false), uv.new_pipe(false)
  r:open(fds.read)
  w:open(fds.write)
  local waiters, first = {}, 1
  r:read_start(function(err, data)
    assert(not err, err)
    for _ = 1, #data do
      local co = waiters[first]
      waiters[first], first = nil, first + 1
      assert(coroutine.resume(co))
    end
    if not waiters[first] then
      r:close()
      w:close()
    end
  end)
  return measure(uv, n, function()
    waiters[#waiters + 1] = coroutine.running()
    coroutine.yield()
  end, function() w:write("x") end)
end

return W
