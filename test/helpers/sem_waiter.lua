-- Child program: opens semaphore arg[1], tells the parent it is about to
-- wait (inc on semaphore arg[2], after writing its pid to file arg[4]),
-- then waits with h:dec(arg[3]) ("forever": no timeout). Prints
-- "<pcall ok> <result> <elapsed seconds> <value after>" on stdout. The
-- pcall catches the "interrupted!" error that lua5.4's own SIGINT handler
-- raises once control is back in Lua.
local sem = require "ipc.sem"
local H = require "spec_helper"
local name, ready_name, timeout, pidfile = arg[1], arg[2], arg[3], arg[4]
local h = assert(sem.open(name))
local ready = assert(sem.open(ready_name))
if pidfile then
  local f = assert(io.open(pidfile, "w"))
  f:write(H.pid())
  f:close()
end
local t = timeout ~= "forever" and tonumber(timeout) or nil
local t0 = H.now()
ready:inc()
local ok, r = pcall(h.dec, h, t)
local elapsed = H.now() - t0
io.write(("%s %s %.3f %d\n"):format(ok, tostring(r), elapsed, H.sem_value(h)))
h:close()
ready:close()
