-- children_rss: what each idle running child costs the host's memory. The
-- host starts children (`exec sleep 1000` through the shell, no pipes) up to
-- each of the LEVELS ("10,100,1000") and reports the growth of its resident
-- set per child as rss<level> (bytes); the time is that of starting them
-- all, the check how many ran; slope is the growth per child between the
-- last two levels (small levels suffer from the heap growing in steps of
-- 128 KiB and more). One child is started and reaped before the
-- baseline, so that what the first spawn sets up once (the event loop, the
-- child-exit handling) is not counted as a cost per child.
local lib = require "lib"

local W = {}

local CMD = "exec sleep 1000"

local function levels(list)
  local t = {}
  for n in list:gmatch("%d+") do t[#t + 1] = tonumber(n) end
  return t
end

local function rss_bytes()
  collectgarbage()
  collectgarbage()
  return lib.status_kib("VmRSS") * 1024
end

-- Starts children with `spawn()` up to every level, measuring at each;
-- `warm()` has started and reaped one child before.
local function measure(list, spawn, warm)
  warm()
  local extra, count = {}, 0
  local before = rss_bytes()
  local t0 = lib.now()
  local spent = 0
  local last_level, last_rss = 0, before
  for _, level in ipairs(levels(list)) do
    local t1 = lib.now()
    while count < level do
      spawn()
      count = count + 1
    end
    spent = spent + (lib.now() - t1)
    local rss = rss_bytes()
    extra["rss" .. level] = (rss - before) / level
    -- What each child between the last two levels added: the slope.
    extra.slope = (rss - last_rss) / (level - last_level)
    last_level, last_rss = level, rss
  end
  assert(lib.now() - t0 >= spent)
  return spent, count, extra
end

function W.luaipc(list)
  local proc = require "ipc.proc"
  local handles = {}
  local secs, count, extra = measure(list, function()
    handles[#handles + 1] = assert(proc.spawn(CMD, {}))
  end, function()
    local h = assert(proc.spawn("true", {}))
    h:wait()
    lib.close(h)
  end)
  for _, h in ipairs(handles) do h:kill("kill") end
  for _, h in ipairs(handles) do
    h:wait()
    lib.close(h)
  end
  return secs, count, extra
end

function W.luv(list)
  local uv = require "luv"
  local function start(cmd)
    local child
    child = assert(uv.spawn("/bin/sh", { args = { "-c", cmd } },
      function() child:close() end))
    return child
  end
  local children = {}
  local secs, count, extra = measure(list, function()
    children[#children + 1] = start(CMD)
  end, function()
    start("true")
    uv.run()
  end)
  for _, c in ipairs(children) do c:kill("sigkill") end
  uv.run()
  return secs, count, extra
end

return W
