-- lines_mmap: count the lines of a text file and their bytes (without the
-- newlines), reading it line by line.
local lib = require "lib"

local W = {}

function W.luaipc(path)
  local mmap = require "ipc.mmap"
  local t0 = lib.now()
  local h = assert(mmap.open(path))
  local check = lib.count_lines(h:lines())
  h:close()
  return lib.now() - t0, check
end

function W.io_lines(path)
  local t0 = lib.now()
  local check = lib.count_lines(io.lines(path))
  return lib.now() - t0, check
end

-- The real limit: a minimal C iterator (memchr + lua_pushlstring per line,
-- bench/c/linesplit.c) over a mapping, with the same Lua loop.
function W.cmod(path)
  local linesplit = require "linesplit"
  local t0 = lib.now()
  local check = lib.count_lines(linesplit.file(path))
  return lib.now() - t0, check
end

return W
