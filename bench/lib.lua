-- Helpers shared by the Lua variants of the workloads.
local clock = require "benchclock"

local lib = { now = clock.now, cpu = clock.cpu }

-- Starts the clock of a variant whose children do the work beside it:
-- returns a function giving the seconds since, and the measures
-- { children = share of that time its children (waited for by then) spent
-- on a CPU }. A writer busy all the time (1) bounds what any reader gets.
function lib.timer_with_children()
  local t0, c0 = clock.now(), clock.children_cpu()
  return function()
    local t = clock.now() - t0
    return t, { children = (clock.children_cpu() - c0) / t }
  end
end

local function readfile(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end
lib.readfile = readfile

-- Runs `work` once untimed, then once more timed; returns the seconds of
-- the second run and what it returned (the check). For workloads that make
-- many short-lived strings: on the first run the C allocator grows the heap
-- and faults its pages in, and how much depends on where the allocations
-- made before the work happened to land. Splitting the same 50 MiB string
-- into lines took 0.068 or 0.110 s on a first run, for one build and one
-- input, after an unrelated change elsewhere in this file (10,000 more page
-- faults in malloc); the second run took 0.065 s either way.
function lib.second_pass(work)
  work()
  local t0 = lib.now()
  local check = work()
  return lib.now() - t0, check
end

-- A field of /proc/self/status given in kB (VmHWM, VmRSS), as a number.
function lib.status_kib(field)
  return tonumber(readfile("/proc/self/status"):match(field .. ":%s*(%d+)"))
end

function lib.pid()
  return tonumber(readfile("/proc/self/stat"):match("^(%d+)"))
end

-- Ends the variant with "SKIP <reason>": what it needs is not there (yet).
function lib.skip(reason)
  io.write("SKIP ", reason, "\n")
  os.exit(0)
end

-- Counts the lines a generic-for iterator yields (its up to four values,
-- the fourth to be closed) and their bytes: "lines:bytes", the check value
-- of the line workloads.
function lib.count_lines(f, s, c, k)
  local n, bytes = 0, 0
  for l in f, s, c, k do
    n = n + 1
    bytes = bytes + #l
  end
  return n .. ":" .. bytes
end

function lib.shquote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- A shell command that runs `variant` of `workload` in another interpreter.
function lib.command(workload, variant, ...)
  local words = { lib.interpreter, lib.script, workload, variant, ... }
  for i, w in ipairs(words) do words[i] = lib.shquote(w) end
  return table.concat(words, " ")
end

-- The luv peer of the pipe workloads: starts `/bin/sh -c command` with its
-- stdout on a pipe (stdin on `inp` when given), calls `on_data(data)` for
-- each piece of output and closes the pipe at its end. The caller runs the
-- loop.
function lib.luv_sh(uv, command, inp, on_data)
  local out = uv.new_pipe(false)
  local child
  child = assert(uv.spawn("/bin/sh", {
    args = { "-c", command },
    stdio = { inp or 0, out, 2 },
  }, function(code)
    assert(code == 0)
    child:close()
  end))
  out:read_start(function(err, data)
    assert(not err, err)
    if data then on_data(data) else out:close() end
  end)
end

-- Starts `fn` in a coroutine from a timer callback of luv's loop, as a luv
-- program would (waits inside it suspend the coroutine); the caller runs
-- the loop. Returns the state { done = bool, err = traceback or nil }.
function lib.start_luv(uv, fn)
  local state = { done = false }
  local t = uv.new_timer()
  t:start(0, 0, function()
    t:close()
    coroutine.wrap(function()
      local ok, e = xpcall(fn, debug.traceback)
      state.done, state.err = true, not ok and e or nil
    end)()
  end)
  return state
end

-- Raises the error of a state of start_luv, or if it did not finish.
function lib.check_luv(state)
  if state.err then error(state.err, 0) end
  assert(state.done, "uv.run() returned before the work was done")
end

-- Runs `fn` as start_luv does, then the loop until it has nothing left.
function lib.under_luv(uv, fn)
  local state = lib.start_luv(uv, fn)
  uv.run()
  lib.check_luv(state)
end

-- An ipc.proc output callback that adds the bytes received to t.bytes.
function lib.counter(t)
  return function(_, data, msg)
    if not data then error(msg) end
    t.bytes = t.bytes + #data
  end
end

-- Defines W.luaipc (plain mode) and W.luaipc_luv (the same work in a
-- coroutine of a luv program, under uv.run()) from work(proc, got, ...),
-- which adds the bytes it receives to got.bytes; both report those bytes.
function lib.proc_variants(W, work)
  function W.luaipc(...)
    local proc = require "ipc.proc"
    local got = { bytes = 0 }
    local stop = lib.timer_with_children()
    work(proc, got, ...)
    local t, measures = stop()
    return t, got.bytes, measures
  end
  function W.luaipc_luv(...)
    local uv = require "luv"
    local proc = require "ipc.proc"
    local got, args = { bytes = 0 }, table.pack(...)
    local stop = lib.timer_with_children()
    lib.under_luv(uv, function() work(proc, got, table.unpack(args, 1, args.n)) end)
    local t, measures = stop()
    return t, got.bytes, measures
  end
end

-- Closes a handle where the implementation has close (the original's
-- process handles do not).
function lib.close(h)
  if h.close then h:close() end
end

return lib
