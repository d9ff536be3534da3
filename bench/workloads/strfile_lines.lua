-- strfile_lines: split a string already in memory into its lines, counting
-- them and their bytes. The string is read from a file before the clock
-- starts; every variant times its second run (lib.second_pass).
local lib = require "lib"

local W = {}

function W.luaipc(path)
  local strfile = require "ipc.strfile"
  local s = lib.readfile(path)
  return lib.second_pass(function()
    local h = strfile.open(s)
    local check = lib.count_lines(h:lines())
    h:close()
    return check
  end)
end

-- The usual plain-Lua way: find each newline, cut the line out with sub.
function W.find(path)
  local find, sub = string.find, string.sub
  local s = lib.readfile(path)
  return lib.second_pass(function()
    local n, bytes = 0, 0
    local pos, len = 1, #s
    while pos <= len do
      local e = find(s, "\n", pos, true)
      local l = sub(s, pos, (e or len + 1) - 1)
      n = n + 1
      bytes = bytes + #l
      pos = (e or len) + 1
    end
    return n .. ":" .. bytes
  end)
end

-- The other usual way: a pattern iterator (this file ends with a newline).
function W.gmatch(path)
  local s = lib.readfile(path)
  return lib.second_pass(function()
    return lib.count_lines(s:gmatch("([^\n]*)\n"))
  end)
end

-- The real limit: a minimal C iterator (memchr + lua_pushlstring per line,
-- bench/c/linesplit.c) with the same Lua loop.
function W.cmod(path)
  local linesplit = require "linesplit"
  local s = lib.readfile(path)
  return lib.second_pass(function()
    return lib.count_lines(linesplit.string(s))
  end)
end

return W
