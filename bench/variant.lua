-- Runs one variant of one workload in this process and prints the line the
-- runner parses: "RESULT <seconds> <check> <peak RSS in KiB>".
--   lua5.4 bench/variant.lua <workload> <variant> [params...]
-- The variant itself measures the seconds around its work only (interpreter
-- start, module loading and input preparation are left out), with the
-- monotonic clock of the small benchclock module.
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
package.cpath = dir .. "/../build-bench/?.so;" .. package.cpath
if not os.getenv("LUA_CPATH") then
  package.cpath = dir .. "/../build/?.so;" .. package.cpath
end

local lib = require "lib"
lib.interpreter = arg[-1] or "lua5.4"
lib.script = arg[0]

local workload, variant = arg[1], arg[2]
local W = dofile(("%s/workloads/%s.lua"):format(dir, workload))
local run = W[variant]
  or error(("%s has no variant %s"):format(workload, variant))
local seconds, check = run(table.unpack(arg, 3))
-- Helper roles (the other side of a ping-pong) report nothing.
if seconds then
  io.write(("RESULT %.9f %s %d\n"):format(seconds, tostring(check),
    lib.status_kib("VmHWM")))
end
