-- pipe_out: a child writes N bytes of zeros; the parent receives them all.
-- Every variant starts the child through /bin/sh -c, as proc.spawn does with
-- a string command.
local lib = require "lib"

local W = {}

local function command(n)
  return ("head -c %d /dev/zero"):format(n)
end

-- W.luaipc and, inside a luv program (the callback runs while uv.run()
-- runs, the wait suspends a coroutine), W.luaipc_luv.
lib.proc_variants(W, function(proc, got, n)
  local h = assert(proc.spawn(command(n), {
    stdout = true, callback = lib.counter(got),
  }))
  assert(h:wait())
end)

function W.popen(n)
  local got = 0
  local stop = lib.timer_with_children()
  local f = assert(io.popen(command(n), "r"))
  while true do
    local s = f:read(65536)
    if not s then break end
    got = got + #s
  end
  assert(f:close())
  local t, measures = stop()
  return t, got, measures
end

function W.luv(n)
  local uv = require "luv"
  local got = 0
  local stop = lib.timer_with_children()
  lib.luv_sh(uv, command(n), nil, function(data) got = got + #data end)
  uv.run()
  local t, measures = stop()
  return t, got, measures
end

return W
