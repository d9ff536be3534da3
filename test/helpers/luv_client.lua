-- Client for the luv server example: lua5.4 luv_client.lua PORT CONNS REQS.
-- Opens CONNS connections to 127.0.0.1:PORT; once all are connected, each
-- sends REQS requests one after the other (the next when the previous was
-- answered), all connections at the same time. Prints
-- "c\tr\trequest\tanswer" for answer r of connection c; exits 1 if the
-- server closed a connection early or nothing completed within 50 seconds.
local uv = require "luv"

local port, conns, reqs = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3])

-- Request r of connection c. The first one of each connection sleeps, so
-- that all connections have a child running at the same time.
local function request(c, r)
  if r == 1 then return "sleep 0.2" end
  if r == reqs then return "frobnicate " .. c end
  if r % 3 == 0 then return "count" .. string.rep(" w" .. c, (c + r) % 7) end
  return ("upper conn %d req %d; $(x) 'q' \"z\" *"):format(c, r)
end

local handles, connected, open, failed = {}, 0, conns, false
local guard = uv.new_timer()

local function finish(conn)
  conn:close()
  open = open - 1
  if open == 0 then guard:close() end
end

local function start(c)
  local conn, r, buffer = handles[c], 1, ""
  conn:read_start(function(err, data)
    if err or not data then
      io.stderr:write("connection ", c, " closed early at request ", r, "\n")
      failed = true
      return finish(conn)
    end
    buffer = buffer .. data
    for reply in buffer:gmatch("([^\n]*)\n") do
      print(("%d\t%d\t%s\t%s"):format(c, r, request(c, r), reply))
      r = r + 1
      if r <= reqs then conn:write(request(c, r) .. "\n") else return finish(conn) end
    end
    buffer = buffer:match("[^\n]*$")
  end)
  conn:write(request(c, r) .. "\n")
end

for c = 1, conns do
  handles[c] = uv.new_tcp()
  handles[c]:connect("127.0.0.1", port, function(err)
    assert(not err, err)
    connected = connected + 1
    if connected == conns then
      for i = 1, conns do start(i) end
    end
  end)
end
guard:start(50000, 0, function()
  io.stderr:write("gave up after 50 seconds\n")
  os.exit(1)
end)
uv.run()
os.exit(failed and 1 or 0)
