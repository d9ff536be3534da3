-- strfile_lines: split a string already in memory into its lines, counting
-- them and their bytes. The string is read from a file before the clock
-- starts.
local lib = require "lib"

local W = {}

function W.luaipc(path)
  local strfile = require "ipc.strfile"
  local s = lib.readfile(path)
  local t0 = lib.now()
  local h = strfile.open(s)
  local check = lib.count_lines(h:lines())
  h:close()
  return lib.now() - t0, check
end

-- The usual plain-Lua way: find each newline, cut the line out with sub.
function W.find(path)
  local find, sub = string.find, string.sub
  local s = lib.readfile(path)
  local n, bytes = 0, 0
  local t0 = lib.now()
  local pos, len = 1, #s
  while pos <= len do
    local e = find(s, "\n", pos, true)
    local l = sub(s, pos, (e or len + 1) - 1)
    n = n + 1
    bytes = bytes + #l
    pos = (e or len) + 1
  end
  return lib.now() - t0, n .. ":" .. bytes
end

-- The other usual way: a pattern iterator (this file ends with a newline).
function W.gmatch(path)
  local s = lib.readfile(path)
  local t0 = lib.now()
  local check = lib.count_lines(s:gmatch("([^\n]*)\n"))
  return lib.now() - t0, check
end

-- The real limit: a minimal C iterator (memchr + lua_pushlstring per line,
-- bench/c/linesplit.c) with the same Lua loop.
function W.cmod(path)
  local linesplit = require "linesplit"
  local s = lib.readfile(path)
  local t0 = lib.now()
  local check = lib.count_lines(linesplit.string(s))
  return lib.now() - t0, check
end

return W
