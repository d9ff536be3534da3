-- Child program for the proc specs: a process whose life a test can see on
-- every platform (H.held). It creates file arg[1] and locks it whole for
-- writing, so that the lock is free again once the process is gone. With
-- arg[2], it then starts a grandchild holding file arg[2] the same way
-- (with arg[3] as its own arg[2], a great-grandchild...) and waits for it;
-- without, it sleeps for 30 s (IPC_HOLDER_SECONDS), or until it can lock
-- file IPC_HOLDER_UNTIL. With IPC_HOLDER_POPEN in its environment
-- the grandchild is started by io.popen instead of ipc.proc. With
-- IPC_HOLDER_SAY in its environment, it
-- first writes that to stdout once it holds the lock.
local path = arg[1]
local f = io.open(path, "r+b") or assert(io.open(path, "w+b"))
assert(require("ipc.filelock").lock(f, "w"))
local say = os.getenv("IPC_HOLDER_SAY")
if say then
  io.write(say)
  io.stdout:flush()
end
if arg[2] and os.getenv("IPC_HOLDER_POPEN") then
  -- The grandchild started outside libuv (and its job objects on Windows).
  local H = require "spec_helper"
  local line = { H.shquote(H.LUA), "test/helpers/proc_holder.lua" }
  for i = 2, #arg do line[#line + 1] = H.shquote(arg[i]) end
  local p = assert(io.popen(H.shell(table.concat(line, " "))))
  p:read("a")
  p:close()
elseif arg[2] then
  local proc = require "ipc.proc"
  local h = assert(proc.spawn({ require("spec_helper").LUA, "test/helpers/proc_holder.lua",
    table.unpack(arg, 2) }))
  h:wait()
elseif os.getenv("IPC_HOLDER_UNTIL") then
  local gate = assert(io.open(os.getenv("IPC_HOLDER_UNTIL"), "r+b"))
  assert(require("ipc.filelock").lock(gate, "w"))
else
  require("system").sleep(tonumber(os.getenv("IPC_HOLDER_SECONDS")) or 30)
end
