-- lines_mmap: count the lines of a text file and their bytes (without the
-- newlines), reading it line by line.
local lib = require "lib"

local W = {}

function W.luaipc(path)
  local mmap = require "ipc.mmap"
  local n, bytes = 0, 0
  local t0 = lib.now()
  local h = assert(mmap.open(path))
  for l in h:lines() do
    n = n + 1
    bytes = bytes + #l
  end
  h:close()
  return lib.now() - t0, n .. ":" .. bytes
end

function W.io_lines(path)
  local n, bytes = 0, 0
  local t0 = lib.now()
  for l in io.lines(path) do
    n = n + 1
    bytes = bytes + #l
  end
  return lib.now() - t0, n .. ":" .. bytes
end

-- The real limit: a minimal C iterator (memchr + lua_pushlstring per line,
-- bench/c/linesplit.c) over a mapping, with the same Lua loop.
function W.cmod(path)
  local linesplit = require "linesplit"
  local n, bytes = 0, 0
  local t0 = lib.now()
  for l in linesplit.file(path) do
    n = n + 1
    bytes = bytes + #l
  end
  return lib.now() - t0, n .. ":" .. bytes
end

return W
