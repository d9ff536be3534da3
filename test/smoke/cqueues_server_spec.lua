-- examples/cqueues_server.lua: the cqueues TCP server running a command
-- per request, with its own client, in a child lua5.4.
require "spec_helper"

describe("examples/cqueues_server.lua", function()
  it("answers its client's requests while its ticker keeps ticking", function()
    if not pcall(require, "cqueues") then
      pending("lua-cqueues is not installed")
      return
    end
    local r = assert(require("ipc.proc").run({ H.LUA, "examples/cqueues_server.lua" },
      { timeout = 60 }))
    assert(r.ok, r.stdout .. r.stderr)
    local lines = {}
    for l in r.stdout:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.matches("^listening on 127%.0%.0%.1:%d+$", lines[1])
    local want = {
      "client 1: count one two three four               -> 4",
      "client 1: sleep 0.2                              -> slept 0.2",
      "client 1: upper hello from cqueues               -> HELLO FROM CQUEUES",
      "client 2: count                                  -> 0",
      "client 2: sleep 0.1                              -> slept 0.1",
      "client 2: upper $(not a shell); 'quotes' stay    -> $(NOT A SHELL); 'QUOTES' STAY",
      "client 3: count a b                              -> 2",
      "client 3: frobnicate                             -> error: unknown command",
      "client 3: upper third connection                 -> THIRD CONNECTION",
    }
    for i, w in ipairs(want) do assert.equal(w, lines[i + 1]) end
    local busy, most = lines[#lines]:match(
      "^served 9 requests; the ticker ticked %d+ times, (%d+) of them while "
      .. "commands ran; at most (%d+) commands ran at once$")
    assert(busy, lines[#lines])
    -- The ticker ran while children ran, and children ran side by side.
    assert.is_true(tonumber(busy) > 0)
    assert.is_true(tonumber(most) > 1)
  end)
end)
