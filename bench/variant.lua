-- Runs one variant of one workload in this process and prints the line the
-- runner parses: "RESULT <seconds> <check> <peak RSS in KiB> [key=value...]"
-- (the pairs are the measures a variant reports beside its time), or
-- "SKIP <reason>" when what the variant needs is not there.
--   lua5.4 bench/variant.lua <workload> <variant> [params...]
-- The variant itself measures the seconds around its work only (interpreter
-- start, module loading and input preparation are left out), with the
-- monotonic clock of the small benchclock module.
-- IPC_BENCH_IMPL=<folder> loads the ipc modules from that folder first (the
-- runner's "original" variant, which runs the luaipc code of a workload
-- unless it has a variant of its own); processes the variant starts inherit
-- it.
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
package.cpath = dir .. "/../build-bench/?.so;" .. package.cpath
if not os.getenv("LUA_CPATH") then
  package.cpath = dir .. "/../build/?.so;" .. package.cpath
end
local impl = os.getenv("IPC_BENCH_IMPL")
if impl and impl ~= "" then
  package.cpath = impl .. "/?.so;" .. package.cpath
end

local lib = require "lib"
lib.interpreter = arg[-1] or "lua5.4"
lib.script = arg[0]

local workload, variant = arg[1], arg[2]
local W = dofile(("%s/workloads/%s.lua"):format(dir, workload))
local run = W[variant] or (variant == "original" and W.luaipc)
  or error(("%s has no variant %s"):format(workload, variant))
local seconds, check, extra = run(table.unpack(arg, 3))
-- Helper roles (the other side of a ping-pong) report nothing.
if seconds then
  local pairs_ = {}
  for k, v in pairs(extra or {}) do
    pairs_[#pairs_ + 1] = (" %s=%.9g"):format(k, v)
  end
  table.sort(pairs_)
  io.write(("RESULT %.9f %s %d%s\n"):format(seconds, tostring(check),
    lib.status_kib("VmHWM"), table.concat(pairs_)))
end
