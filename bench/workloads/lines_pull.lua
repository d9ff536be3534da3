-- lines_pull: the lines of a text file read from `cat` line by line, each
-- variant counting the lines and their bytes.
local lib = require "lib"

local W = {}

function W.luaipc(path)
  local proc = require "ipc.proc"
  if not proc.lines then lib.skip("proc.lines not available") end
  local t0 = lib.now()
  local check = lib.count_lines(proc.lines({ "cat", path }))
  return lib.now() - t0, check
end

function W.popen(path)
  local t0 = lib.now()
  local f = assert(io.popen("exec cat " .. lib.shquote(path), "r"))
  local check = lib.count_lines(f:lines())
  assert(f:close())
  return lib.now() - t0, check
end

-- luv with the line splitter such a program writes: the part of a chunk
-- after its last newline waits for the next chunk.
function W.luv(path)
  local uv = require "luv"
  local find, sub = string.find, string.sub
  local n, bytes, rest = 0, 0, ""
  local function line(l)
    n = n + 1
    bytes = bytes + #l
  end
  local t0 = lib.now()
  local out = uv.new_pipe(false)
  local child
  child = assert(uv.spawn("cat", { args = { path }, stdio = { 0, out, 2 } },
    function(code)
      assert(code == 0)
      child:close()
    end))
  out:read_start(function(err, data)
    assert(not err, err)
    if not data then
      if rest ~= "" then line(rest) end
      out:close()
      return
    end
    local pos = 1
    local e = find(data, "\n", pos, true)
    if e and rest ~= "" then
      line(rest .. sub(data, 1, e - 1))
      rest, pos = "", e + 1
      e = find(data, "\n", pos, true)
    end
    while e do
      line(sub(data, pos, e - 1))
      pos = e + 1
      e = find(data, "\n", pos, true)
    end
    rest = rest .. sub(data, pos)
  end)
  uv.run()
  return lib.now() - t0, n .. ":" .. bytes
end

return W
