-- pipe_out: a child writes N bytes of zeros; the parent receives them all.
-- Every variant starts the child through /bin/sh -c, as proc.spawn does with
-- a string command.
local lib = require "lib"

local W = {}

local function command(n)
  return ("head -c %d /dev/zero"):format(n)
end

function W.luaipc(n)
  local proc = require "ipc.proc"
  local got = 0
  local t0 = lib.now()
  local h = assert(proc.spawn(command(n), {
    stdout = true,
    callback = function(_, data, msg)
      if not data then error(msg) end
      got = got + #data
    end,
  }))
  assert(h:wait())
  return lib.now() - t0, got
end

-- The same inside a luv program: the callback runs while uv.run() runs, the
-- wait suspends a coroutine.
function W.luaipc_luv(n)
  local uv = require "luv"
  local proc = require "ipc.proc"
  local got = 0
  local t0 = lib.now()
  lib.under_luv(uv, function()
    local h = assert(proc.spawn(command(n), {
      stdout = true,
      callback = function(_, data, msg)
        if not data then error(msg) end
        got = got + #data
      end,
    }))
    assert(h:wait())
  end)
  return lib.now() - t0, got
end

function W.popen(n)
  local got = 0
  local t0 = lib.now()
  local f = assert(io.popen(command(n), "r"))
  while true do
    local s = f:read(65536)
    if not s then break end
    got = got + #s
  end
  assert(f:close())
  return lib.now() - t0, got
end

function W.luv(n)
  local uv = require "luv"
  local got = 0
  local t0 = lib.now()
  lib.luv_sh(uv, command(n), nil, function(data) got = got + #data end)
  uv.run()
  return lib.now() - t0, got
end

return W
