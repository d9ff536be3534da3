-- strfile_lines: split a string already in memory into its lines, counting
-- them and their bytes. The string is read from a file before the clock
-- starts.
local lib = require "lib"

local W = {}

function W.luaipc(path)
  local strfile = require "ipc.strfile"
  local s = lib.readfile(path)
  local n, bytes = 0, 0
  local t0 = lib.now()
  local h = strfile.open(s)
  for l in h:lines() do
    n = n + 1
    bytes = bytes + #l
  end
  h:close()
  return lib.now() - t0, n .. ":" .. bytes
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
  local n, bytes = 0, 0
  local t0 = lib.now()
  for l in s:gmatch("([^\n]*)\n") do
    n = n + 1
    bytes = bytes + #l
  end
  return lib.now() - t0, n .. ":" .. bytes
end

-- The real limit: a minimal C iterator (memchr + lua_pushlstring per line,
-- bench/c/linesplit.c) with the same Lua loop.
function W.cmod(path)
  local linesplit = require "linesplit"
  local s = lib.readfile(path)
  local n, bytes = 0, 0
  local t0 = lib.now()
  for l in linesplit.string(s) do
    n = n + 1
    bytes = bytes + #l
  end
  return lib.now() - t0, n .. ":" .. bytes
end

return W
