-- A parallel job runner: at most `width` children at a time, each job's
-- output collected as it arrives, the next job started as soon as any
-- child has finished. proc.wait_any drives every listed child's callbacks
-- while it waits, so no child stalls on a full pipe whatever the order in
-- which they end.
--   LUA_CPATH='./build/?.so;;' lua5.4 examples/parallel.lua [width]
local proc = require "ipc.proc"

local width = tonumber(arg and arg[1]) or 4

-- Twelve jobs of different lengths; job 7 fails.
local jobs = {}
for i = 1, 12 do
  jobs[i] = ("sleep 0.0%d; echo job %d done; exit %d"):format(12 - i, i,
    i == 7 and 1 or 0)
end

local running, output, results = {}, {}, {}
local next_job, started, peak = 1, 0, 0

local function start()
  local i = next_job
  next_job = next_job + 1
  local out = {}
  local h = assert(proc.spawn(jobs[i], {
    stdout = true, stderr = "stdout",
    callback = function(_, data) if data then out[#out + 1] = data end end,
  }))
  running[#running + 1] = h
  output[h] = { index = i, out = out }
  started = started + 1
  if #running > peak then peak = #running end
end

while next_job <= #jobs or #running > 0 do
  while next_job <= #jobs and #running < width do start() end
  local h, ok, what, code = proc.wait_any(running)
  for k = #running, 1, -1 do
    if running[k] == h then table.remove(running, k) end
  end
  local job = output[h]
  results[job.index] = ("job %2d: %-13s %s %s"):format(job.index,
    (table.concat(job.out):gsub("\n$", "")), what, code)
  if not ok then results[job.index] = results[job.index] .. "  FAILED" end
  h:close()
end

for _, line in ipairs(results) do print(line) end
print(("%d jobs, at most %d at a time (peak %d)"):format(started, width, peak))
