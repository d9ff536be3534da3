-- pipe_roundtrip: CHUNKS x 64 KiB through `cat`, all queued at once (the
-- same string object each time) followed by the end of input, while the
-- output is counted.
local lib = require "lib"

local W = {}

local CHUNK = string.rep("x", 65536)

local function roundtrip(proc, chunks, count)
  local h = assert(proc.spawn("cat", {
    stdin = true,
    stdout = true,
    callback = function(_, data, msg)
      if not data then error(msg) end
      count(#data)
    end,
  }))
  for _ = 1, tonumber(chunks) do h:write(CHUNK) end
  h:write(proc.EOF)
  assert(h:wait())
end

function W.luaipc(chunks)
  local proc = require "ipc.proc"
  local got = 0
  local t0 = lib.now()
  roundtrip(proc, chunks, function(n) got = got + n end)
  return lib.now() - t0, got
end

-- The same inside a luv program, the wait suspending a coroutine.
function W.luaipc_luv(chunks)
  local uv = require "luv"
  local proc = require "ipc.proc"
  local got = 0
  local t0 = lib.now()
  lib.under_luv(uv, function()
    roundtrip(proc, chunks, function(n) got = got + n end)
  end)
  return lib.now() - t0, got
end

function W.luv(chunks)
  local uv = require "luv"
  local got = 0
  local t0 = lib.now()
  local inp = uv.new_pipe(false)
  lib.luv_sh(uv, "cat", inp, function(data) got = got + #data end)
  for _ = 1, tonumber(chunks) do inp:write(CHUNK) end
  inp:shutdown(function() inp:close() end)
  uv.run()
  return lib.now() - t0, got
end

return W
