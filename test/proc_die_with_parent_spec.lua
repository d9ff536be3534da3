-- options.die_with_parent (docs/proc.md): the child gets SIGKILL when the
-- program ends, even by SIGKILL; where the platform has no way to do that
-- (platform.die_with_parent false), spawn returns nil, message, ENOTSUP.
local H = require "spec_helper"
local proc = require "ipc.proc"
local platform = require("ipc").platform

local ended, eventually = H.ended, H.eventually

-- A parent Lua that starts `sleep 600` with `options` (Lua source), writes
-- its pid and then ends as `ending` says; returns the sleep's pid. The
-- sleep outlasts by far the minute H.eventually waits for it to end.
local function orphan(options, ending)
  local out = H.tmpfile()
  local child = H.spawn_lua(([[
    local H = require "spec_helper"
    local proc = require "ipc.proc"
    local h = assert(proc.spawn({ "sleep", "600" }, %s))
    H.writefile(..., tostring(h:pid()))
    %s
  ]]):format(options, ending), out)
  child.wait()
  return assert(tonumber(H.readfile(out)))
end

local endings = {
  ["SIGKILL"] = [[os.execute("kill -KILL " .. H.pid())]],
  -- os.exit without closing the state: no finalizer kills the child.
  ["os.exit"] = [[os.exit(0)]],
}

describe("ipc.proc die_with_parent", function()
  H.check_process_leaks(proc)
  after_each(H.cleanup)

  if not platform.die_with_parent then
    it("returns nil, message, ENOTSUP where the platform cannot", function()
      local enotsup = platform.os == "linux" and 95 or nil
      local msg = H.assert_fail(enotsup, proc.spawn({ "true" }, { die_with_parent = true }))
      assert.equal("die_with_parent: Operation not supported", msg)
    end)
    return
  end

  for name, ending in pairs(endings) do
    it("kills the child when the parent Lua ends by " .. name, function()
      local pid = orphan("{ die_with_parent = true }", ending)
      local gone = eventually(function() return ended(pid) end)
      if not gone then os.execute("kill -KILL " .. pid) end
      assert(gone, "the child outlived its parent")
    end)

    it("leaves the child alone without it when the parent ends by " .. name, function()
      local pid = orphan("{}", ending)
      assert.is_false(ended(pid))
      os.execute("kill -KILL " .. pid)
      assert(eventually(function() return ended(pid) end))
    end)
  end

  it("is a child like any other while the parent lives", function()
    local got = {}
    local h = assert(proc.spawn({ "sh", "-c", "echo hi; exit 3" }, {
      die_with_parent = true, stdout = true,
      callback = function(_, d) got[#got + 1] = d end,
    }))
    assert.same({ nil, "exit", 3 }, { h:wait() })
    assert.equal("hi\n", table.concat(got))
    h:close()
    h = assert(proc.spawn({ "sleep", "30" }, { die_with_parent = true }))
    h:kill("kill")
    assert.same({ nil, "signal", 9 }, { h:wait() })
    h:close()
  end)
end)
