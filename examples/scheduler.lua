-- Several child processes driven by a tiny round-robin coroutine scheduler,
-- in a plain script (no luv). h:wait() called inside a coroutine lets the
-- output callback yield: the yield goes to the scheduler, which runs the
-- other jobs and later resumes the wait where it stopped. Nothing is lost.
--   LUA_CPATH='./build/?.so;;' lua5.4 examples/scheduler.lua
local proc = require "ipc.proc"

-- The scheduler: a queue of coroutines, each resumed in turn until it ends.
local queue = {}
local function go(name, fn)
  queue[#queue + 1] = { name = name, co = coroutine.create(fn) }
end
local function run_all()
  while #queue > 0 do
    local task = table.remove(queue, 1)
    local ok, err = coroutine.resume(task.co)
    if not ok then error(task.name .. ": " .. tostring(err), 0) end
    if coroutine.status(task.co) ~= "dead" then queue[#queue + 1] = task end
  end
end

-- A job prints each line of its command's output as it arrives, then
-- yields so that the other jobs get a turn.
local function job(name, cmd)
  go(name, function()
    local h <close> = assert(proc.spawn(cmd, {
      stdout = true,
      callback = function(_, data)
        for line in data:gmatch("[^\n]+") do print(name, line) end
        coroutine.yield()
      end,
    }))
    print(name, "finished:", h:wait())
  end)
end

-- Three slow producers: their lines come out interleaved.
for _, name in ipairs { "alpha", "beta", "gamma" } do
  job(name, ("for i in 1 2 3 4; do echo %s-$i; sleep 0.05; done"):format(name))
end

-- proc.run works in a coroutine as well. Its own callback never yields, so
-- each call runs to completion within one turn: fine for quick commands.
-- Here the task yields between two calls and pipes one's output into the
-- next, the way a shell pipeline would.
go("pipeline", function()
  local numbers = assert(proc.run({ "seq", "1", "10" })).stdout
  coroutine.yield()
  local top = assert(proc.run({ "sort", "-rn" }, { input = numbers })).stdout
  print("pipeline", "largest three:", (top:match("^(%d+\n%d+\n%d+)"):gsub("\n", " ")))
end)

run_all()
print("all jobs done")
