-- children_rss: what each idle running child costs the host's memory. The
-- host starts children (`exec sleep 1000` through the shell, no pipes) up to
-- each of the LEVELS ("10,100,1000") and reports the growth of its resident
-- set since before the first one, per child, as rss<level> (bytes); the
-- time is that of starting them all, the check how many ran.
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

-- Starts children with `spawn()` up to every level, measuring at each.
local function measure(list, spawn)
  local extra, count = {}, 0
  local before = rss_bytes()
  local t0 = lib.now()
  local spent = 0
  for _, level in ipairs(levels(list)) do
    local t1 = lib.now()
    while count < level do
      spawn()
      count = count + 1
    end
    spent = spent + (lib.now() - t1)
    extra["rss" .. level] = (rss_bytes() - before) / level
  end
  assert(lib.now() - t0 >= spent)
  return spent, count, extra
end

function W.luaipc(list)
  local proc = require "ipc.proc"
  local handles = {}
  local secs, count, extra = measure(list, function()
    handles[#handles + 1] = assert(proc.spawn(CMD, {}))
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
  local children = {}
  local secs, count, extra = measure(list, function()
    local child
    child = assert(uv.spawn("/bin/sh", { args = { "-c", CMD } },
      function() child:close() end))
    children[#children + 1] = child
  end)
  for _, c in ipairs(children) do c:kill("sigkill") end
  uv.run()
  return secs, count, extra
end

return W
