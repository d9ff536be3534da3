-- sem_pingpong: two processes bounce N round trips over two semaphores: this
-- one increments "ping" and waits on "pong", the other the reverse.
local lib = require "lib"

local W = {}

function W.luaipc(n)
  local sem = require "ipc.sem"
  n = tonumber(n)
  local base = ("ipcbench-%d"):format(lib.pid())
  -- The original library cannot create a semaphore at 0: it creates at 1
  -- and takes that back.
  local create = sem.create or function(name)
    local h = assert(sem.open(name, 1))
    assert(h:dec())
    return h
  end
  local ping = assert(create(base .. "-ping"))
  local pong = assert(create(base .. "-pong"))
  -- The other side is started through the shell and answers n + 1 times:
  -- one handshake round trip, so its start-up stays out of the timing.
  local other = assert(io.popen(lib.command("sem_pingpong", "other",
    base .. "-ping", base .. "-pong", n + 1), "w"))
  ping:inc()
  if not pong:dec(30) then error("the other process did not answer") end
  local t0 = lib.now()
  for _ = 1, n do
    ping:inc()
    pong:dec()
  end
  local t = lib.now() - t0
  assert(other:close())
  ping:close()
  pong:close()
  return t, n
end

function W.other(ping_name, pong_name, n)
  local sem = require "ipc.sem"
  local ping = assert(sem.open(ping_name))
  local pong = assert(sem.open(pong_name))
  for _ = 1, tonumber(n) do
    ping:dec()
    pong:inc()
  end
  ping:close()
  pong:close()
end

return W
