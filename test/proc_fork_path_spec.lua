-- The fork and exec path of spawn gives a child exactly what the
-- posix_spawn path gives it: its three streams and no other descriptor,
-- default signal handling and an empty mask, the cwd, the environment, the
-- PATH search, the names in failures. die_with_parent takes that path in
-- every build that has it; builds without posix_spawn's extensions (the
-- portable ones) take it for every child, so there the plain options do.
local H = require "spec_helper"
local proc = require "ipc.proc"
local platform = require("ipc").platform

local extra = platform.die_with_parent and "{ die_with_parent = true }" or "{}"
local function opts(t)
  for k, v in pairs(load("return " .. extra)()) do t[k] = v end
  return t
end

-- Runs argv with stdout (and stderr into it) collected; returns the output
-- and the three wait results.
local function output(argv, o)
  local got = {}
  o = opts(o or {})
  o.stdout, o.stderr = true, "stdout"
  o.callback = function(_, d) got[#got + 1] = d end
  local h = assert(proc.spawn(argv, o))
  local ok, what, code = h:wait()
  h:close()
  return table.concat(got), ok, what, code
end

local HOST = H.BUILD .. "/tools/lua_host"

describe("ipc.proc's fork path (" .. extra .. ")", function()
  H.check_process_leaks(proc)
  after_each(H.cleanup)

  it("passes the three streams and closes every other descriptor", function()
    -- io.open's descriptors are inherited by exec unless closed.
    local files = {}
    for i = 1, 5 do files[i] = assert(io.open(H.tmpfile(), "w")) end
    local out = output({ "sh", "-c",
      'n=0; i=3; while [ $i -lt 256 ]; do [ -e /proc/$$/fd/$i ] && n=$((n+1)); i=$((i+1)); done; echo $n' })
    for _, f in ipairs(files) do f:close() end
    assert.equal("0\n", out)
    local h = assert(proc.spawn({ "tr", "a-z", "A-Z" }, opts {
      stdin = true, stdout = true, callback = function(_, d) out = d end }))
    h:write("shout\n", proc.EOF)
    assert.same({ true, "exit", 0 }, { h:wait() })
    h:close()
    assert.equal("SHOUT\n", out)
  end)

  it("resets ignored signals and the signal mask", function()
    local script = H.tmpfile(([[
      assert(host.block_sigchld())
      local proc = require "ipc.proc"
      local got = {}
      local h = assert(proc.spawn({ "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status" },
        (function(t) for k, v in pairs(%s) do t[k] = v end return t end) {
          stdout = true, callback = function(_, d) got[#got + 1] = d end }))
      assert(h:wait())
      io.write(table.concat(got))
    ]]):format(extra))
    local out = H.tmpfile()
    assert(os.execute(("env --ignore-signal=USR1 --ignore-signal=TERM %s %s >%s 2>&1")
      :format(HOST, script, out)), H.readfile(out))
    -- Signals 32 and 33 are the C library's own (glibc keeps them from
    -- sigaction, posix_spawn's reset included): the classic ones must be
    -- back to their defaults, USR1 and TERM among them.
    local blk, ign = H.readfile(out):match("^SigBlk:%s*(%x+)\nSigIgn:%s*(%x+)\n$")
    assert.equal(0, tonumber(blk, 16))
    assert.equal(0, tonumber(ign, 16) & 0x7fffffff)
  end)

  it("runs in cwd with the environment it is given, searched in the child's PATH", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir " .. dir))
    local prog = dir .. "/ipc-fork-path-prog"
    H.writefile(prog, "echo \"$PWD $X ${HOME-unset}\"\n") -- no #!: run by sh
    assert(os.execute("chmod +x " .. prog))
    local out, ok = output({ "ipc-fork-path-prog" },
      { cwd = dir, clear_env = true, env = { PATH = dir, X = "y" } })
    os.remove(prog)
    os.remove(dir)
    assert.is_true(ok)
    assert.equal(dir .. " y unset\n", out)
  end)

  it("names the program or the cwd that failed, and starts a session for group", function()
    local msg = H.assert_fail(2, proc.spawn({ "no-such-program-ipc" }, opts {}))
    assert.equal("no-such-program-ipc: No such file or directory", msg)
    msg = H.assert_fail(2, proc.spawn({ "true" }, opts { cwd = "/no/such/dir" }))
    assert.equal("cwd /no/such/dir: No such file or directory", msg)
    local path = H.tmpfile("not executable")
    msg = H.assert_fail(13, proc.spawn({ path }, opts {}))
    assert.equal(path .. ": Permission denied", msg)
    -- /proc/<pid>/stat: pid (comm) state ppid pgrp session ...
    local out = output({ "sh", "-c", "set -- $(cat /proc/$$/stat); echo $6; echo $$" },
      { group = true })
    local sid, pid = out:match("^(%d+)\n(%d+)\n$")
    assert.is_not_nil(sid, out)
    assert.equal(pid, sid)
  end)
end)
