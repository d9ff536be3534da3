-- Child program for the proc specs: writes "early" to stdout, starts a
-- proc_holder.lua grandchild for file arg[1] outside ipc.proc (through
-- the shell, in the background), which keeps this process's stdout and
-- its environment, and exits without waiting for it.
local H = require "spec_helper"
io.write("early\n")
io.stdout:flush()
local line = ("%s test/helpers/proc_holder.lua %s"):format(H.shquote(H.LUA),
  H.shquote(arg[1]))
if H.WINDOWS then
  os.execute(H.shell('start "" /b ' .. line))
else
  os.execute(line .. " &")
end
