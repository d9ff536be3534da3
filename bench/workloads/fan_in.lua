-- fan_in (and wait_any_fan): N children started at once, each writing
-- SIZE bytes of zeros to its stdout pipe, all collected; the check is the
-- bytes received.
local lib = require "lib"

local W = {}

local function head(size) return { "head", "-c", tostring(size), "/dev/zero" } end

-- Starts the N children with ipc.proc, counting their output into `got`.
local function spawn_all(proc, n, size, got)
  local handles = {}
  for i = 1, tonumber(n) do
    handles[i] = assert(proc.spawn(head(size), {
      stdout = true, callback = lib.counter(got),
    }))
  end
  return handles
end

-- Collected with proc.wait_any, whichever finishes first.
function W.luaipc(n, size)
  local proc = require "ipc.proc"
  if not proc.wait_any then lib.skip("proc.wait_any not available") end
  local got = { bytes = 0 }
  local t0 = lib.now()
  local pending = spawn_all(proc, n, size, got)
  while #pending > 0 do
    local h, ok = proc.wait_any(pending)
    assert(ok)
    for i = #pending, 1, -1 do
      if pending[i] == h then table.remove(pending, i) end
    end
    h:close()
  end
  return lib.now() - t0, got.bytes
end

-- Collected in the order they were started, each with its own wait.
function W.wait_each(n, size)
  local proc = require "ipc.proc"
  local got = { bytes = 0 }
  local t0 = lib.now()
  for _, h in ipairs(spawn_all(proc, n, size, got)) do
    assert(h:wait())
    h:close()
  end
  return lib.now() - t0, got.bytes
end

-- Inside a luv program: one coroutine waits for each in turn while the
-- loop delivers every child's output.
function W.luaipc_luv(n, size)
  local uv = require "luv"
  local proc = require "ipc.proc"
  local got = { bytes = 0 }
  local t0 = lib.now()
  lib.under_luv(uv, function()
    for _, h in ipairs(spawn_all(proc, n, size, got)) do
      assert(h:wait())
      h:close()
    end
  end)
  return lib.now() - t0, got.bytes
end

-- luv: a pipe and an exit callback for each child.
function W.luv(n, size)
  local uv = require "luv"
  local got = 0
  local t0 = lib.now()
  for _ = 1, tonumber(n) do
    local out = uv.new_pipe(false)
    local child
    child = assert(uv.spawn("head", {
      args = { "-c", tostring(size), "/dev/zero" }, stdio = { 0, out, 2 },
    }, function(code)
      assert(code == 0)
      child:close()
    end))
    out:read_start(function(err, data)
      assert(not err, err)
      if data then got = got + #data else out:close() end
    end)
  end
  uv.run()
  return lib.now() - t0, got
end

return W
