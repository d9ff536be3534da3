-- Child program: the other side of a ping-pong between two processes.
-- Waits on semaphore arg[1] and answers on semaphore arg[2], arg[3] times.
local sem = require "ipc.sem"
local ping = assert(sem.open(arg[1]))
local pong = assert(sem.open(arg[2]))
for _ = 1, tonumber(arg[3]) do
  assert(ping:dec() == true)
  pong:inc()
end
