-- ipc.cqueues: luaipc's blocking calls under cqueues (and lua-http on it).
-- Requiring this module installs a scheduler function (see ipc.loop) that
-- suspends the calling coroutine in its cqueues controller until luaipc's
-- loop descriptor is readable or the call's timeout passes, instead of
-- blocking the controller's thread:
--
--   require "ipc.cqueues"
--   cq:wrap(function() local r = proc.run("make") ... end)
--
-- Calls made outside a cqueues coroutine block as in a plain script.
local cqueues = require "cqueues"
local loop = require "ipc.loop"

local M = { _VERSION = loop._VERSION }

-- A pollable object for cqueues.poll: the descriptor, for reading.
local waiter = {}
waiter.__index = waiter
function waiter:pollfd() return self.fd end
function waiter:events() return "r" end
function waiter:timeout() return self.t end

local function schedule(fd, timeout)
  if not cqueues.running() then
    -- Not inside a controller: wait as a plain script would.
    if fd then
      cqueues.poll(setmetatable({ fd = fd, t = timeout }, waiter), timeout)
    elseif timeout then
      cqueues.sleep(timeout)
    end
    return
  end
  if fd then
    cqueues.poll(setmetatable({ fd = fd, t = timeout }, waiter), timeout)
  else
    cqueues.sleep(timeout or 0.01)
  end
end

-- Installs the scheduler (done on require; call again after loop.scheduler
-- was changed).
function M.install() loop.scheduler(schedule) end

M.install()
return M
