-- Writes the file named by arg[1] to stdout in pieces, for the tests of
-- reads that span the pieces of a pipe: each line of stdin is the size of
-- the next piece (or "rest"); once a piece is written, "ack" goes to
-- stderr, so the reader knows what the pipe holds.
io.stdout:setvbuf("no")
local f = assert(io.open(arg[1], "rb"))
local data = f:read("a")
f:close()
local pos = 1
for line in io.lines() do
  local n = line == "rest" and #data or assert(tonumber(line))
  io.stdout:write(data:sub(pos, pos + n - 1))
  pos = pos + n
  io.stderr:write("ack\n")
  io.stderr:flush()  -- buffered in lua.exe under Wine
end
