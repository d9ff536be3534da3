-- The second wave's waiting calls inside a luv program: proc.wait_any,
-- h:drain() and a proc.lines loop, each run from a coroutine while
-- uv.run() runs, suspend only that coroutine (a luv timer keeps ticking
-- during the wait, and is what lets the children finish), and deliver the
-- callbacks of the handles they wait for. Each scenario runs in its own
-- lua5.4 child.
require "spec_helper"

local function run_ok(code)
  return H.in_child('local uv = require "luv"\nlocal proc = require "ipc.proc"\n' .. [[
    local ticks, release = 0, {}
    local timer = uv.new_timer()
    -- After a few ticks seen during the wait, the children are let go.
    timer:start(5, 5, function()
      ticks = ticks + 1
      if ticks == 4 then
        for _, h in ipairs(release) do h:write("go\n", proc.EOF) end
      end
    end)
    local function done()
      timer:stop()
      timer:close()
    end
  ]] .. code .. "\nuv.run()\n")
end

describe("second-wave waits under luv", function()
  it("proc.wait_any suspends its coroutine and delivers every listed handle's output", function()
    local out = run_ok [[
      local got = {}
      local function spawn(name, code)
        local h = assert(proc.spawn({ "sh", "-c", "read x; echo " .. name .. "; exit " .. code }, {
          stdin = true, stdout = true,
          callback = function(_, data) if data then got[#got + 1] = data:gsub("\n", "") end end,
        }))
        release[#release + 1] = h
        return h
      end
      local a, b = spawn("a", 3), spawn("b", 4)
      coroutine.wrap(function()
        local first, ok, what, code = proc.wait_any({ a, b })
        local other = first == a and b or a
        local _, ok2, what2, code2 = proc.wait_any({ other })
        table.sort(got)
        print(ticks >= 4, table.concat(got, " "), what, code + code2)
        a:close() b:close()
        done()
      end)()
    ]]
    assert.equal("true\ta b\texit\t7\n", out)
  end)

  it("h:drain() suspends its coroutine until the child took the input", function()
    local out = run_ok [[
      -- The child takes its input only after a while: the timer must keep
      -- ticking meanwhile.
      local h = assert(proc.spawn({ "sh", "-c", "sleep 0.1; cat >/dev/null" }, { stdin = true }))
      coroutine.wrap(function()
        h:write(("x"):rep(1 << 20))
        local queued = h:queued()
        local ok = h:drain()
        print(queued > 0, ok, h:queued(), ticks >= 4)
        h:write(proc.EOF)
        print(h:wait())
        h:close()
        done()
      end)()
    ]]
    assert.equal("true\ttrue\t0\ttrue\ntrue\texit\t0\n", out)
  end)

  it("a proc.lines loop suspends its coroutine between lines", function()
    local out = run_ok [[
      coroutine.wrap(function()
        local seen = {}
        for line in proc.lines({ "sh", "-c", "echo one; sleep 0.05; echo two" }) do
          seen[#seen + 1] = line
        end
        print(table.concat(seen, " "), ticks > 0)
        local ok, err = pcall(function()
          for _ in proc.lines({ "sh", "-c", "exit 5" }) do end
        end)
        print(ok, (tostring(err):match("exit 5")))
        done()
      end)()
    ]]
    assert.equal("one two\ttrue\nfalse\texit 5\n", out)
  end)
end)
