-- The luv server example under load: examples/luv_server.lua runs in a
-- child lua5.4, and a luv client in another child (test/helpers/
-- luv_client.lua) sends 8 connections x 25 requests at the same time.
-- Every answer is checked, and the server's own summary must show that its
-- timer kept ticking while its coroutines waited for their children.
require "spec_helper"

-- Every child runs under timeout(1): a hang fails the test instead of
-- blocking the run.
local LIMIT = "timeout -s KILL 60 "

-- The answer the server must give to `request`.
local function expected(request)
  local verb, text = request:match("^(%a+) ?(.*)$")
  if verb == "upper" then return text:upper() end
  if verb == "sleep" then return "slept " .. text end
  if verb == "count" then
    local n = 0
    for _ in text:gmatch("%S+") do n = n + 1 end
    return tostring(n)
  end
  return "error: unknown command"
end

describe("examples/luv_server.lua", function()
  it("answers 200 requests over 8 concurrent connections", function()
    local conns, reqs = 8, 25
    local server_err = H.tmpname()
    local server = assert(io.popen(LIMIT .. H.LUA ..
      " examples/luv_server.lua --serve --requests " .. conns * reqs ..
      " --seconds 50 2>" .. server_err))
    local first = server:read("l") or ""
    local port = first:match("^listening on 127%.0%.0%.1:(%d+)$")

    local client_out, client_ok = "", nil
    if port then
      local client = assert(io.popen(("%s%s test/helpers/luv_client.lua %s %d %d 2>&1")
        :format(LIMIT, H.LUA, port, conns, reqs)))
      client_out = client:read("a")
      client_ok = client:close()
    end
    local rest = server:read("a")
    local server_ok = server:close()
    local err = H.readfile(server_err)
    os.remove(server_err)

    assert(port, "no port announced: " .. first .. rest .. err)
    assert(client_ok, "client failed:\n" .. client_out)
    assert(server_ok, "server failed:\n" .. rest .. err)

    local seen, count = {}, 0
    for line in client_out:gmatch("[^\n]+") do
      local c, r, request, answer = line:match("^(%d+)\t(%d+)\t([^\t]*)\t(.*)$")
      assert(c, "unexpected client output: " .. line)
      local key = c .. "/" .. r
      assert(not seen[key], "answered twice: " .. key)
      seen[key] = true
      count = count + 1
      assert.equal(expected(request), answer)
    end
    assert.equal(conns * reqs, count)

    local served, ticks, busy, most = rest:match(
      "served (%d+) requests; the timer ticked (%d+) times, (%d+) of them " ..
      "while commands ran; at most (%d+) commands ran at once")
    assert(served, "no summary from the server: " .. rest .. err)
    assert.equal(conns * reqs, tonumber(served))
    -- Each connection's first request runs `sleep 0.2`: a timer that fires
    -- every 10 ms must tick during that time unless the loop was blocked,
    -- and the eight sleeps overlap unless waits were serialised.
    assert.is_true(tonumber(busy) > 0, rest)
    assert.is_true(tonumber(ticks) >= tonumber(busy))
    assert.is_true(tonumber(most) >= 2, rest)
  end)
end)
