-- The luv driver: luaipc's own loop stepped from luv's loop, through
-- luv's public Lua API only. A poll handle watches the descriptor that
-- becomes readable when luaipc's loop has something to do, and a timer
-- fires at its next deadline; both run one step (deliver callbacks, resume
-- the coroutines waiting in luaipc calls) and re-arm the timer. A wait with
-- a key (a blocking job: sem:dec(), filelock.lock()) is resumed only by the
-- step that finds its key ready, or once its deadline passed; the others
-- after every step, to check their own condition. The two handles are
-- ordinary luv handles (where luaipc's loop has no descriptor, the poll is
-- a timer that ticks while luaipc has work): uv.walk() lists them, and closing them detaches
-- luaipc from luv's loop (the next call that needs luv attaches again).
-- Compiled into the module; called with the loop core and luv's module.
local core, uv = ...
local resume, status = coroutine.resume, coroutine.status
local traceback = debug.traceback

local driver = {}
local poll, timer   -- the luv handles, while attached
local armed         -- when the timer fires (monotonic seconds), or nil
local waiting = {}  -- coroutine suspended in a luaipc call -> deadline | false
local plain = {}    -- the waiting coroutines without a key -> true
local timed = {}    -- the waiting coroutines that have a deadline -> it
local keyed = {}    -- key -> the coroutine waiting for it
local key_of = {}   -- coroutine waiting for a key -> the key
local due = {}      -- coroutines to resume in this step, in order
local ready = {}    -- the keys core.ready() reports (reused)
local extra         -- deadline of a blocking wait on the main thread
-- Where luaipc's loop has no descriptor (Windows: libuv waits on a
-- completion port), `poll` is a timer that looks at the loop every
-- tick_ms while luaipc has work, and stops when it has none.
local ticker, ticking
local tick_ms = 2

local function attached()
  return poll and not poll:is_closing() and not timer:is_closing()
end

-- Re-arms the timer for the earliest of: the loop's next timer, the
-- deadlines of waiting coroutines, a blocking wait's; keeps luv's loop
-- alive while luaipc has work.
local function sync()
  if not attached() then return end
  local now = core.now()
  local t = core.timeout()
  local at = t and now + t
  for _, d in pairs(timed) do
    if not at or d < at then at = d end
  end
  if due[1] then at = now end  -- resumes an error cut short
  if extra and (not at or extra < at) then at = extra end
  if at ~= armed then
    armed = at
    if at then
      -- At least 1 ms: libuv runs a timer re-armed at 0 from a timer
      -- callback again at once, for ever.
      local ms = math.ceil((at - now) * 1000)
      timer:start(ms > 1 and ms or 1, 0, driver.step)
    else
      timer:stop()
    end
  end
  local busy = extra or core.active() or next(waiting)
  if busy then
    poll:ref(); timer:ref()
  else
    poll:unref(); timer:unref()
  end
  if ticker and not busy ~= not ticking then
    ticking = busy and true or false
    if ticking then poll:start(tick_ms, tick_ms, driver.step) else poll:stop() end
  end
end
driver.sync = sync

local function forget(co)
  waiting[co], timed[co], plain[co] = nil, nil, nil
  local key = key_of[co]
  if key ~= nil then
    key_of[co] = nil
    if keyed[key] == co then keyed[key] = nil end
  end
end

-- The coroutines this step resumes: every waiting one without a key, the
-- keyed ones whose key is ready (all of them when more keys came than were
-- kept), and the keyed ones whose deadline has passed.
local function collect()
  local n, overflow = core.ready(ready)
  local list, count = due, #due
  for co in pairs(overflow and waiting or plain) do
    count = count + 1
    list[count] = co
  end
  if not overflow then
    for i = 1, n do
      local co = keyed[ready[i]]
      if co then
        count = count + 1
        list[count] = co
      end
      ready[i] = nil
    end
    local now
    for co, d in pairs(timed) do
      if key_of[co] ~= nil then
        now = now or core.now()
        if d <= now then
          count = count + 1
          list[count] = co
        end
      end
    end
  else
    for i = 1, n do ready[i] = nil end
  end
end

-- One step: what luaipc's loop has ready, then the waiting coroutines due
-- (each checks its own condition and yields again if it is not met). An
-- error of a resumed coroutine is raised here, so that luv reports it as it
-- reports errors of its own callbacks; the coroutines still due are
-- resumed by the next step.
function driver.step()
  armed = nil
  if attached() then timer:start(1, 0, driver.step) end  -- if an error cuts this short
  core.step()
  collect()
  local i = 1
  while due[i] ~= nil do
    local co = due[i]
    due[i] = false
    i = i + 1
    if waiting[co] ~= nil then
      if status(co) == "suspended" then
        local ok, err = resume(co)
        if not ok then
          forget(co)
          local n = #due
          table.move(due, i, n, 1)
          for j = n - i + 2, n do due[j] = nil end
          sync()
          error(traceback(co, tostring(err)), 0)
        end
      elseif status(co) == "dead" then
        forget(co)
      end
    end
  end
  for j = i - 1, 1, -1 do due[j] = nil end
  armed = false  -- force the re-arm
  sync()
end

function driver.attach()
  if attached() then return end
  if poll and not poll:is_closing() then poll:close() end
  if timer and not timer:is_closing() then timer:close() end
  local fd = core.pollfd()
  ticker, ticking = fd == nil, false
  poll = assert(fd and uv.new_poll(fd) or uv.new_timer())
  timer = assert(uv.new_timer())
  if fd then poll:start("r", driver.step) end
  armed = false
  sync()
end

-- True while uv.run() runs (luv >= 1.31 tells; older ones are taken as
-- running when asked from a coroutine).
function driver.running(main)
  if uv.loop_mode then return uv.loop_mode() ~= nil end
  return not main
end

function driver.suspend(co, deadline, key)
  deadline = deadline or false
  if key_of[co] ~= key then
    forget(co)
    if key ~= nil then
      key_of[co] = key
      keyed[key] = co
    end
  end
  if waiting[co] == deadline and attached() then return end
  driver.attach()
  waiting[co] = deadline
  timed[co] = deadline or nil
  plain[co] = key == nil or nil
  sync()
end

function driver.done(co)
  if waiting[co] ~= nil then
    forget(co)
    sync()
  end
end

-- A blocking wait on the main thread while uv.run() is not running: runs
-- luv's loop once, returning at the latest after `seconds`.
function driver.block(seconds)
  driver.attach()
  extra = core.now() + seconds
  sync()
  uv.run("once")
  extra = nil
  armed = false
  sync()
end

return driver
