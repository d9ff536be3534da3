-- options.detach (docs/proc.md): the child starts in a session of its own,
-- outlives its handle and the program, is never a zombie of this process,
-- has no pipes and cannot be waited for.
local H = require "spec_helper"
local proc = require "ipc.proc"

-- state, ppid, pgrp, session of process `pid`, or nil once it is gone.
local function stat(pid)
  local f = io.open("/proc/" .. pid .. "/stat")
  local s = f and f:read("a")
  if f then f:close() end
  if not s then return nil end
  local state, ppid, pgrp, sid = s:match("%) (%a) (%d+) (%d+) (%d+)")
  return state, tonumber(ppid), tonumber(pgrp), tonumber(sid)
end

local ended, eventually = H.ended, H.eventually

describe("ipc.proc detach", function()
  H.check_process_leaks(proc)
  after_each(H.cleanup)

  it("outlives a parent Lua process that exits, as the program itself", function()
    local flag = H.track_file(os.tmpname())
    os.remove(flag)
    local out = H.in_child([[
      local proc = require "ipc.proc"
      local h = assert(proc.spawn({ "sh", "-c", 'sleep 0.3; echo $$ >"$0"', ... },
        { detach = true }))
      print(h:pid())
      h:close()
    ]], flag)
    local pid = tonumber(out)
    assert(eventually(function()
      local f = io.open(flag)
      local s = f and f:read("a")
      if f then f:close() end
      return s ~= nil and s:match("\n$") ~= nil
    end), "the detached child never wrote its file")
    assert.equal(pid, tonumber(H.readfile(flag)))
    assert(eventually(function() return ended(pid) end))
  end)

  it("survives close and collection, in a session of its own, not our child", function()
    local h = assert(proc.spawn({ "sleep", "600" }, { detach = true }))
    local pid = h:pid()
    h:close()
    local h2 = assert(proc.spawn({ "sleep", "600" }, { detach = true }))
    local pid2 = h2:pid()
    h2 = nil -- luacheck: ignore 311
    collectgarbage()
    collectgarbage()
    for _, p in ipairs { pid, pid2 } do
      local state, ppid, pgrp, sid = stat(p)
      assert.is_not_nil(state, "the detached child died with its handle")
      assert.not_equal("Z", state)
      assert.not_equal(H.pid(), ppid)
      assert.equal(p, sid)
      assert.equal(p, pgrp)
      os.execute("kill " .. p)
      assert(eventually(function() return ended(p) end))
    end
  end)

  it("leaves no zombie of this process, whether the program runs or fails", function()
    local pids = {}
    for i = 1, 5 do
      local h = assert(proc.spawn({ "sh", "-c", "exit " .. i }, { detach = true }))
      pids[i] = h:pid()
      h:close()
    end
    for _, p in ipairs(pids) do
      assert(eventually(function() return ended(p) end))
    end
    H.assert_fail(2, proc.spawn({ "no-such-program-ipc" }, { detach = true }))
    assert.equal(0, H.zombies())
  end)

  it("signals the detached process by its pid while the handle is open", function()
    local h = assert(proc.spawn({ "sleep", "600" }, { detach = true }))
    local pid = h:pid()
    assert.is_true(h:kill("term"))
    assert(eventually(function() return ended(pid) end))
    h:close()
    H.raises("closed", h.kill, h, "term")
  end)

  it("names the program or the cwd that failed", function()
    local msg = H.assert_fail(2, proc.spawn({ "no-such-program-ipc" }, { detach = true }))
    assert.equal("no-such-program-ipc: No such file or directory", msg)
    msg = H.assert_fail(2, proc.spawn({ "true" }, { detach = true, cwd = "/no/such/dir" }))
    assert.equal("cwd /no/such/dir: No such file or directory", msg)
  end)

  it("refuses pipes, waits, timeouts and die_with_parent", function()
    for _, s in ipairs { "stdin", "stdout", "stderr" } do
      H.raises("options.detach: a detached process cannot have pipes (" .. s .. ")",
        proc.spawn, { "true" }, { detach = true, [s] = true, callback = print })
    end
    H.raises("exclude each other", proc.spawn, { "true" },
      { detach = true, die_with_parent = true })
    H.raises("no timeout", proc.spawn, { "true" }, { detach = true, timeout = 1 })
    local h = assert(proc.spawn({ "true" }, { detach = true }))
    H.raises("a detached process cannot be waited for", h.wait, h)
    H.raises("a detached process cannot be waited for", h.wait, h, 0)
    H.raises("item 1 is detached", proc.wait_any, { h })
    H.raises("stdin is not a pipe", h.write, h, "x")
    assert.is_false(h:timed_out())
    assert.equal(0, h:queued())
    h:close()
  end)

  it("connects the streams it is given: null, a file, the inherited ones", function()
    local path = H.tmpfile()
    local f = assert(io.open(path, "w"))
    local h = assert(proc.spawn({ "sh", "-c", "echo out; echo err >&2" },
      { detach = true, stdin = "null", stdout = f, stderr = "stdout" }))
    local pid = h:pid()
    h:close()
    f:close()
    assert(eventually(function() return ended(pid) end))
    assert.equal("out\nerr\n", H.readfile(path))
  end)

  it("does not keep a luv program's loop running", function()
    -- Asked of another interpreter: luv loaded here would change ipc.proc.
    if os.execute(H.LUA .. " -e 'require \"luv\"' 2>/dev/null") ~= true then
      return pending("luv is not installed")
    end
    local flag = H.track_file(os.tmpname())
    os.remove(flag)
    assert.equal("ran\n", H.in_child([[
      local uv = require "luv"
      local proc = require "ipc.proc"
      assert(proc.spawn({ "sh", "-c", 'sleep 0.2; : >"$0"', ... }, { detach = true }))
      uv.run()
      print("ran")
    ]], flag))
    assert(eventually(function() return io.open(flag) ~= nil end))
  end)
end)
