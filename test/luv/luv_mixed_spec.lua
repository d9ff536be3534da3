-- ipc.proc, ipc.sem and ipc.filelock together in one luv program: three
-- coroutines wait at the same time (on a child process, in sem:dec, in
-- filelock.lock) while a timer keeps ticking. The three waits are released
-- by the timer itself once it has seen all three pending for a few ticks,
-- so the program can only finish if none of the waits blocked the loop.
require "spec_helper"
local sem = require "ipc.sem"

local PROGRAM = [=[
local uv = require "luv"
local proc = require "ipc.proc"
local sem = require "ipc.sem"
local filelock = require "ipc.filelock"
local name, path = ...

local s = assert(sem.create(name))
local ticks, waiting, ticks_all = 0, 0, 0
local finished = 0
local children = {}    -- the processes the timer releases with "go"
local timer, guard = uv.new_timer(), uv.new_timer()

-- A child lua5.4 running `code`, its stdout lines passed to `on_line`.
local function lua_child(code, on_line)
  local h = assert(proc.spawn({ "lua5.4", "-e", code }, {
    stdin = true, stdout = true,
    env = { SEM_NAME = name, LOCK_PATH = path },
    callback = function(_, data)
      for line in (data or ""):gmatch("[^\n]+") do on_line(line) end
    end,
  }))
  children[#children + 1] = h
  return h
end

-- Runs `f` in a coroutine around `waiting`, which the timer watches, and
-- prints what it returned with the ticks seen during the wait.
local function waiter(label, f)
  coroutine.wrap(function()
    local before = ticks
    waiting = waiting + 1
    local result = f()
    waiting = waiting - 1
    print(label, result, ticks - before > 0)
    finished = finished + 1
    if finished == 3 then
      timer:close()
      guard:close()
      for _, h in ipairs(children) do
        print("helper", select(3, h:wait()))
        h:close()
      end
      s:close()
    end
  end)()
end

timer:start(10, 10, function()
  ticks = ticks + 1
  if waiting < 3 then return end
  ticks_all = ticks_all + 1
  if ticks_all == 3 then
    for _, h in ipairs(children) do h:write("go\n", proc.EOF) end
  end
end)
guard:start(30000, 0, function()
  io.stderr:write("still waiting after 30 seconds\n")
  os.exit(1)
end)

local start = uv.new_timer()
start:start(0, 0, function()
  start:close()
  -- 1. A child process that answers once it is told to go.
  waiter("proc", function()
    local out = {}
    local h = lua_child('io.write("child got ", io.read("l")) os.exit(7)',
      function(line) out[#out + 1] = line end)
    local ok, what, code = h:wait()
    return table.concat(out) .. " " .. tostring(ok) .. " " .. what .. " " .. code
  end)
  -- 2. sem:dec on a semaphore that another process increments on "go".
  lua_child([[
    local s = assert(require("ipc.sem").open(os.getenv("SEM_NAME")))
    assert(io.read("l") == "go")
    assert(s:inc())
    s:close()
  ]], print)
  waiter("sem", function()
    local r = s:dec()
    return tostring(r) .. " value " .. require("spec_helper").sem_count(s)
  end)
  -- 3. filelock.lock on a file another process holds locked until "go";
  -- it writes the file before it unlocks. The wait starts once it holds
  -- the lock.
  lua_child([[
    local filelock = require "ipc.filelock"
    local f = assert(io.open(os.getenv("LOCK_PATH"), "r+"))
    assert(filelock.lock(f, "w"))
    print("locked") io.stdout:flush()
    assert(io.read("l") == "go")
    f:write("written by the holder\n")
    assert(filelock.unlock(f))
    f:close()
  ]], function(line)
    assert(line == "locked", line)
    waiter("lock", function()
      local f = assert(io.open(path, "r"))
      local r = filelock.lock(f, "r")
      local text = f:read("l")
      f:close()
      return tostring(r) .. " " .. text
    end)
  end)
end)
uv.run()
print("all waiting together for", ticks_all >= 3 and "3 ticks" or ticks_all)
]=]

describe("a luv program waiting on a process, a semaphore and a lock", function()
  local name, path, script
  before_each(function()
    name, path, script = H.uniq("mixed"), H.tmpname(), H.tmpname()
    H.writefile(path, "not yet written\n")
    H.writefile(script, PROGRAM)
  end)
  after_each(function()
    sem.remove(name)
    os.remove(path)
    os.remove(script)
  end)

  it("keeps its timer ticking while all three wait at the same time", function()
    local err = H.tmpname()
    local p = assert(io.popen(("timeout -s KILL 60 %s %s %s %s 2>%s"):format(
      H.LUA, script, H.shquote(name), H.shquote(path), err)))
    local out = p:read("a")
    local ok, what, code = p:close()
    local stderr = H.readfile(err)
    os.remove(err)
    assert(ok, ("program failed (%s %s):\n%s%s"):format(what, code, out, stderr))
    local lines = {}
    for line in out:gmatch("[^\n]+") do lines[#lines + 1] = line end
    table.sort(lines)
    assert.same({
      "all waiting together for\t3 ticks",
      "helper\t0", "helper\t0", "helper\t7",
      "lock\ttrue written by the holder\ttrue",
      "proc\tchild got go nil exit 7\ttrue",
      "sem\ttrue value 0\ttrue",
    }, lines)
  end)
end)
