-- What a host does with SIGCHLD is its own, and several Lua states may use
-- luaipc in threads at once (docs/contract.md, "ipc.proc: errors and
-- signals", "Processes that fork, threads, and hostile finalizers").
-- tools/lua_host gives scripts SIGCHLD control and threads.
local H = require "spec_helper"

local HOST = H.BUILD .. "/tools/lua_host"

-- Runs `code` under lua_host (with `opts` before the script, `env` before
-- the command); returns its output, asserting it exited with status 0.
local function host(code, opts, env)
  local script = H.tmpfile(code)
  local out = H.tmpfile()
  local ok, what, status = os.execute(("%s timeout -s KILL 60 %s %s %s >%s 2>&1")
    :format(env or "", HOST, opts or "", script, out))
  local text = H.readfile(out)
  assert(ok, ("lua_host failed (%s %s):\n%s"):format(what, status, text))
  return text
end

describe("the host's SIGCHLD", function()
  after_each(H.cleanup)

  for _, no_pidfd in ipairs { "0", "1" } do
    local env = "IPC_PROC_NO_PIDFD=" .. no_pidfd
    it("blocked in the host thread never makes wait hang (" .. env .. ")", function()
      assert.equal("nil\texit\t5\nnil\texit\t6\n", host([[
        assert(host.block_sigchld())
        local proc = require "ipc.proc"
        for code = 5, 6 do
          local h = assert(proc.spawn({ "sh", "-c", "exit " .. code }))
          print(h:wait())
          h:close()
        end
      ]], nil, env))
    end)

    it("handled by the host, before or after the first spawn, keeps its handler called (" .. env .. ")", function()
      assert.equal("nil\texit\t3\ttrue\nnil\texit\t4\ttrue\n", host([[
        local proc = require "ipc.proc"
        assert(host.catch_sigchld())        -- before the first spawn
        local h = assert(proc.spawn({ "sh", "-c", "exit 3" }))
        local ok, what, code = h:wait()
        print(ok, what, code, host.sigchld_count() > 0)
        h:close()
        local before = host.sigchld_count()
        assert(host.catch_sigchld())        -- again, after it
        h = assert(proc.spawn({ "sh", "-c", "exit 4" }))
        ok, what, code = h:wait()
        os.execute("true")                  -- the host's own children too
        print(ok, what, code, host.sigchld_count() > before)
        h:close()
      ]], nil, env))
    end)
  end
end)

describe("several Lua states in threads", function()
  it("each run children, proc.run, shm and sem at the same time", function()
    local prefix = H.uniq("ipc13thr")
    local out = host(([[
      local n = ...
      local proc = require "ipc.proc"
      local shm, sem = require "ipc.shm", require "ipc.sem"
      local name = %q .. "-" .. n
      local m = assert(shm.create(name, 4096))
      local s = assert(sem.create(name, 0))
      for i = 1, 20 do
        local got = {}
        local h = assert(proc.spawn({ "sh", "-c", "echo " .. n .. "-" .. i },
          { stdout = true, callback = function(_, d) got[#got + 1] = d end }))
        assert(h:wait())
        assert(table.concat(got) == n .. "-" .. i .. "\n", table.concat(got))
        h:close()
        local r = assert(proc.run({ "cat" }, { input = name }))
        assert(r.ok and r.stdout == name)
        m:seek("set") m:write(name)
        assert(s:inc() and s:dec(1))
      end
      m:close() s:close()
      io.write("thread ", n, " ok\n")
    ]]):format(prefix), "--threads 4")
    local lines = {}
    for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
    table.sort(lines)
    assert.same({ "thread 1 ok", "thread 2 ok", "thread 3 ok", "thread 4 ok" }, lines)
  end)
end)
