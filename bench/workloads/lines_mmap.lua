-- lines_mmap: count the lines of a text file and their bytes (without the
-- newlines), reading it line by line. Every variant times its second run
-- (lib.second_pass).
local lib = require "lib"

local W = {}

function W.luaipc(path)
  local mmap = require "ipc.mmap"
  return lib.second_pass(function()
    local h = assert(mmap.open(path))
    local check = lib.count_lines(h:lines())
    h:close()
    return check
  end)
end

function W.io_lines(path)
  return lib.second_pass(function()
    return lib.count_lines(io.lines(path))
  end)
end

-- The real limit: a minimal C iterator (memchr + lua_pushlstring per line,
-- bench/c/linesplit.c) over a mapping, with the same Lua loop.
function W.cmod(path)
  local linesplit = require "linesplit"
  return lib.second_pass(function()
    return lib.count_lines(linesplit.file(path))
  end)
end

return W
