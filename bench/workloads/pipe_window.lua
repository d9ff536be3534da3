-- pipe_window: BYTES through `cat` in 16 KiB writes issued from the output
-- callback, with at most 48 KiB written but not yet read back: the pattern
-- of a program that talks to a child in requests and answers.
local lib = require "lib"

local W = {}

local SIZE, WINDOW = 16384, 49152
local CHUNK = string.rep("x", SIZE)

function W.luaipc(total)
  local proc = require "ipc.proc"
  total = tonumber(total)
  local sent, got = 0, 0
  local h
  local function pump()
    while sent < total and sent - got + SIZE <= WINDOW do
      h:write(CHUNK)
      sent = sent + SIZE
      if sent >= total then h:write(proc.EOF) end
    end
  end
  local t0 = lib.now()
  h = assert(proc.spawn("cat", {
    stdin = true,
    stdout = true,
    callback = function(_, data, msg)
      if not data then error(msg) end
      got = got + #data
      pump()
    end,
  }))
  pump()
  assert(h:wait())
  return lib.now() - t0, got
end

function W.luv(total)
  local uv = require "luv"
  total = tonumber(total)
  local sent, got = 0, 0
  local inp = uv.new_pipe(false)
  local function pump()
    while sent < total and sent - got + SIZE <= WINDOW do
      inp:write(CHUNK)
      sent = sent + SIZE
      if sent >= total then inp:shutdown(function() inp:close() end) end
    end
  end
  local t0 = lib.now()
  lib.luv_sh(uv, "cat", inp, function(data)
    got = got + #data
    pump()
  end)
  pump()
  uv.run()
  return lib.now() - t0, got
end

return W
