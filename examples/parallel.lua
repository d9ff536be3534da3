-- A parallel runner in a plain script: at most `jobs` children at a time,
-- each collected by proc.wait_any as soon as it finishes, whatever the
-- order; each job's output is read from its pulled stdout once it is done
-- (h:wait and wait_any keep reading it, so no child stalls on a full pipe).
--   LUA_CPATH='./build/?.so;;' LUA_PATH='./lua/?.lua;;' lua5.4 examples/parallel.lua [jobs]
local proc = require "ipc.proc"

local jobs = tonumber(arg[1]) or 3
local tasks = {}
for i = 1, 8 do
  -- Later tasks are quicker: they finish out of order.
  tasks[i] = ("sleep 0.%d; echo task %d; head -c 200000 /dev/zero | wc -c"):format(9 - i, i)
end
tasks[9] = "echo failing; exit 4"

local running, results, next_task = {}, {}, 1
local function start()
  local cmd = tasks[next_task]
  local h = assert(proc.spawn(cmd, { stdout = true }))
  running[#running + 1] = h
  results[h] = { index = next_task }
  next_task = next_task + 1
end

local order = {}
while next_task <= #tasks or #running > 0 do
  while next_task <= #tasks and #running < jobs do start() end
  local h, ok, what, code = proc.wait_any(running)
  local r = results[h]
  r.status = ok and "ok" or ("%s %s"):format(what, code)
  r.output = h:read("a")
  order[#order + 1] = r.index
  for i, other in ipairs(running) do
    if other == h then table.remove(running, i) break end
  end
  h:close()
end

local failed = 0
for h, r in pairs(results) do
  if r.status ~= "ok" then failed = failed + 1 end
end
print("finished in order:", table.concat(order, " "))
for _, r in pairs(results) do
  if r.index == 9 then print("task 9:", r.status, (r.output:gsub("\n", ""))) end
end
print("failed:", failed)
assert(failed == 1 and #order == 9)
