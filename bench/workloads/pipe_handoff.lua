-- pipe_handoff: N bytes from `head -c N /dev/zero` into `wc -c`, the two
-- connected by the parent: the check is what wc counted, and every variant
-- reports the parent's processor time (user + system) as the measure cpu.
-- The hand-off connects them directly; the relays pass every byte through
-- the parent; the shell pipeline is the floor.
local lib = require "lib"

local W = {}

local function head(n) return { "head", "-c", tostring(n), "/dev/zero" } end

-- The variant's result, with the parent's processor time since `c0`.
local function result(t0, c0, counted)
  return lib.now() - t0, tonumber(counted), { cpu = lib.cpu() - c0 }
end

function W.luaipc(n)
  local proc = require "ipc.proc"
  local t0, c0 = lib.now(), lib.cpu()
  local ok, a = pcall(proc.spawn, head(n), { stdout = true })
  if not ok or not a or not a.stdout then
    lib.skip("pulled streams not available")
  end
  local ok2, b = pcall(proc.spawn, { "wc", "-c" },
    { stdin = a:stdout(), stdout = true })
  if not ok2 or not b then
    a:kill("kill")
    lib.skip("hand-off not available")
  end
  local counted = b:read("a")
  assert(a:wait())
  assert(b:wait())
  return result(t0, c0, counted)
end

-- What a program does without the hand-off: a callback writes each piece
-- of the first child's output to the second one.
function W.relay(n)
  local proc = require "ipc.proc"
  local t0, c0 = lib.now(), lib.cpu()
  local counted = {}
  local b = assert(proc.spawn({ "wc", "-c" }, {
    stdin = true, stdout = true,
    callback = function(_, data, msg)
      if not data then error(msg) end
      counted[#counted + 1] = data
    end,
  }))
  local a = assert(proc.spawn(head(n), {
    stdout = true,
    callback = function(_, data, msg)
      if not data then error(msg) end
      b:write(data)
    end,
  }))
  assert(a:wait())
  b:write(proc.EOF)
  assert(b:wait())
  return result(t0, c0, table.concat(counted))
end

function W.luv(n)
  local uv = require "luv"
  local t0, c0 = lib.now(), lib.cpu()
  local counted = {}
  local mid, out = uv.new_pipe(false), uv.new_pipe(false)
  local children = {}
  local function start(file, args, stdio)
    local child
    child = assert(uv.spawn(file, { args = args, stdio = stdio },
      function(code)
        assert(code == 0)
        child:close()
      end))
    children[#children + 1] = child
  end
  local a_out = uv.new_pipe(false)
  start("wc", { "-c" }, { mid, out, 2 })
  start("head", { "-c", tostring(n), "/dev/zero" }, { 0, a_out, 2 })
  a_out:read_start(function(err, data)
    assert(not err, err)
    if data then
      mid:write(data)
    else
      a_out:close()
      mid:shutdown(function() mid:close() end)
    end
  end)
  out:read_start(function(err, data)
    assert(not err, err)
    if data then counted[#counted + 1] = data else out:close() end
  end)
  uv.run()
  return result(t0, c0, table.concat(counted))
end

function W.shell(n)
  local t0, c0 = lib.now(), lib.cpu()
  local f = assert(io.popen(("head -c %d /dev/zero | wc -c"):format(n)))
  local counted = f:read("a")
  assert(f:close())
  return result(t0, c0, counted)
end

return W
