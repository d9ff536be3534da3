-- examples/luv_server.lua with clients that half-close, as nc does at the
-- end of its input: each connection sends its lines, shuts down its
-- sending side at once, and must still get every answer, then the end of
-- the stream from the server.
require "spec_helper"

local LIMIT = "timeout -s KILL 60 "

-- Child client: lua5.4 - PORT. Opens the connections one after the other;
-- prints "c\treply" for each answer line and "c\tEOF" when the server has
-- closed connection c; exits 1 after 50 seconds.
local CLIENT = [[
local uv = require "luv"
local port = tonumber(arg[1])
local sends = {
  "",
  "sleep 0.1\nupper half closed\nfrobnicate\ncount no newline at the end",
  "upper second\ncount a b\nsleep 0.1\nupper last\n",
}
local guard = uv.new_timer()
guard:start(50000, 0, function()
  io.stderr:write("gave up after 50 seconds\n")
  os.exit(1)
end)
local function open(c)
  if not sends[c] then return guard:close() end
  local conn, buffer = uv.new_tcp(), ""
  conn:connect("127.0.0.1", port, function(err)
    assert(not err, err)
    if sends[c] ~= "" then conn:write(sends[c]) end
    assert(conn:shutdown())
    conn:read_start(function(rerr, data)
      assert(not rerr, rerr)
      if data then
        buffer = buffer .. data
        for line in buffer:gmatch("([^\n]*)\n") do print(c .. "\t" .. line) end
        buffer = buffer:match("[^\n]*$")
      else
        print(c .. "\tEOF" .. (buffer ~= "" and " after " .. buffer or ""))
        conn:close()
        open(c + 1)
      end
    end)
  end)
end
open(1)
uv.run()
]]

describe("examples/luv_server.lua and half-closing clients", function()
  it("answers every line received before the half-close, then closes", function()
    local server_err = H.tmpname()
    local server = assert(io.popen(LIMIT .. H.LUA ..
      " examples/luv_server.lua --serve --requests 8 --seconds 50 2>" .. server_err))
    local first = server:read("l") or ""
    local port = first:match("^listening on 127%.0%.0%.1:(%d+)$")

    local client_ok, out, err = false, "", ""
    if port then
      local ok, _, _, o, e = H.run_lua(CLIENT, port)
      client_ok, out, err = ok, o, e
    end
    local rest = server:read("a")
    local server_ok = server:close()
    local server_msg = H.readfile(server_err)
    os.remove(server_err)

    assert(port, "no port announced: " .. first .. rest .. server_msg)
    assert(client_ok, "client failed:\n" .. out .. err)
    assert(server_ok, "server failed:\n" .. rest .. server_msg)
    assert.equal(table.concat({
      "1\tEOF",
      "2\tslept 0.1", "2\tHALF CLOSED", "2\terror: unknown command", "2\t5", "2\tEOF",
      "3\tSECOND", "3\t2", "3\tslept 0.1", "3\tLAST", "3\tEOF",
    }, "\n") .. "\n", out)
    assert.truthy(rest:find("served 8 requests", 1, true), rest)
  end)
end)
