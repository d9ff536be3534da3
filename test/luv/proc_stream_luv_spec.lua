-- ipc.proc's pulled streams inside a luv program: a read suspends only its
-- coroutine while uv.run() runs, runs luv's loop from the main thread when
-- uv.run() is not running, and is refused in a luv callback on the main
-- thread. Each scenario runs in its own lua5.4 child.
require "spec_helper"

local function run_ok(code)
  return H.in_child('local uv = require "luv"\nlocal proc = require "ipc.proc"\n' .. code)
end

describe("ipc.proc streams under luv", function()
  it("suspend only the reading coroutine while uv.run() runs", function()
    local out = run_ok [[
      local ticks = 0
      local t = uv.new_timer()
      t:start(5, 5, function() ticks = ticks + 1 end)
      local h = assert(proc.spawn({ "sh", "-c", "read x; echo got $x; seq 3" },
        { stdin = true, stdout = true }))
      local got = {}
      local start = uv.new_timer()
      start:start(0, 0, function()
        start:close()
        coroutine.wrap(function()
          got[#got + 1] = h:read("l")
          for n in h:lines("n") do got[#got + 1] = n end
          got[#got + 1] = tostring(h:read("a"))
          got[#got + 1] = ("%s %s %s"):format(h:wait())
          h:close()
          t:stop()
          t:close()
        end)()
      end)
      -- The coroutine is suspended; luv's callbacks keep running and one
      -- of them lets the child go on.
      local go = uv.new_timer()
      go:start(20, 0, function()
        go:close()
        assert(ticks > 0)
        h:write("go\n", proc.EOF)
      end)
      uv.run()
      print(table.concat(got, ","))
    ]]
    assert.equal("got go,1,2,3,,true exit 0\n", out)
  end)

  it("leave a handle to the collector once its child exited, read or not", function()
    -- Under luv a handle is anchored while its child runs; output left in
    -- a pulled pipe is for whoever holds the handle or its stream, and
    -- must not keep a dropped handle (and its child's pipes) for ever.
    local out = run_ok [[
      local weak = setmetatable({}, { __mode = "v" })
      weak.dropped = assert(proc.spawn({ "sh", "-c", "echo unread" }, { stdout = true }))
      local held = assert(proc.spawn({ "sh", "-c", "echo kept" }, { stdout = true }))
      local stream = held:stdout()
      weak.held = held
      held = nil
      local t, n = uv.new_timer(), 0
      t:start(10, 10, function()
        n = n + 1
        collectgarbage()
        collectgarbage()
        if weak.dropped == nil or n > 300 then t:close() end
      end)
      uv.run()
      print(weak.dropped == nil, weak.held ~= nil, stream:read("a"))
    ]]
    assert.equal("true\ttrue\tkept\n\n", out)
  end)

  it("honour settimeout in a coroutine", function()
    local out = run_ok [[
      local h = assert(proc.spawn({ "sh", "-c", "read x; echo late" },
        { stdin = true, stdout = true }))
      coroutine.wrap(function()
        h:stdout():settimeout(0.05)
        print(h:read("l"))
        h:write("go\n", proc.EOF)
        h:stdout():settimeout(nil)
        print(h:read("l"))
        h:wait()
        h:close()
      end)()
      uv.run()
    ]]
    assert.equal("nil\ttimeout\t110\nlate\n", out)
  end)

  it("run luv's loop from the main thread when uv.run() is not running", function()
    local out = run_ok [[
      local fired = false
      local t = uv.new_timer()
      t:start(10, 0, function() fired = true; t:close() end)
      local h = assert(proc.spawn({ "sh", "-c", "sleep 0.2; echo late" }, { stdout = true }))
      print(h:read("l"), fired)
      print(h:wait())
      h:close()
    ]]
    assert.equal("late\ttrue\ntrue\texit\t0\n", out)
  end)

  it("refuse to read in a luv callback on the main thread", function()
    local out = run_ok [[
      local h = assert(proc.spawn({ "echo", "hi" }, { stdout = true }))
      local t = uv.new_timer()
      t:start(0, 0, function()
        t:close()
        print(pcall(h.read, h, "l"))
      end)
      uv.run()
      print(h:read("l"))
      h:wait()
      h:close()
    ]]
    assert.matches("^false\t.-call it from a coroutine\nhi\n$", out)
  end)
end)

describe("ipc.proc streams under cqueues", function()
  it("suspend only the reading coroutine", function()
    if not pcall(require, "cqueues") then
      pending("lua-cqueues is not installed")
      return
    end
    local out = H.in_child [[
      local cqueues = require "cqueues"
      require "ipc.cqueues"
      local proc = require "ipc.proc"
      local cq = cqueues.new()
      local h = assert(proc.spawn({ "sh", "-c", "read x; echo got $x" },
        { stdin = true, stdout = true }))
      local got
      cq:wrap(function() got = h:read("l") end)
      cq:wrap(function()
        cqueues.sleep(0.05)
        h:write("go\n", proc.EOF)
      end)
      assert(cq:loop())
      print(got, h:wait())
      h:close()
    ]]
    assert.equal("got go\ttrue\texit\t0\n", out)
  end)
end)
