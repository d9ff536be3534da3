-- pipe_roundtrip: CHUNKS x 64 KiB through `cat`, all queued at once (the
-- same string object each time) followed by the end of input, while the
-- output is counted.
local lib = require "lib"

local W = {}

local CHUNK = string.rep("x", 65536)

-- W.luaipc and, inside a luv program (the wait suspending a coroutine),
-- W.luaipc_luv.
lib.proc_variants(W, function(proc, got, chunks)
  local h = assert(proc.spawn("cat", {
    stdin = true, stdout = true, callback = lib.counter(got),
  }))
  for _ = 1, tonumber(chunks) do h:write(CHUNK) end
  h:write(proc.EOF)
  assert(h:wait())
end)

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
