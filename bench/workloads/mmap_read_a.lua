-- mmap_read_a: read a whole file into one string.
local lib = require "lib"

local W = {}

function W.luaipc(path)
  local mmap = require "ipc.mmap"
  local t0 = lib.now()
  local h = assert(mmap.open(path))
  local s = h:read("a")
  h:close()
  return lib.now() - t0, #s
end

function W.io_read(path)
  local t0 = lib.now()
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return lib.now() - t0, #s
end

return W
