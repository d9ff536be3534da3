-- Security properties: permissions of shared objects, names that cannot
-- leave their namespace, no shell in argv form, no descriptor leaks into
-- children, and the signal dispositions the host keeps.
local ipc = require "ipc"
local shm = ipc.shm

local function present(m) return next(ipc[m]) ~= nil end

local function need(m)
  if present(m) then return true end
  pending("ipc." .. m .. " has not landed")
  return false
end

local function stat_mode(path)
  local p = io.popen("stat -c %a " .. H.shquote(path) .. " 2>/dev/null")
  local s = p:read("a")
  p:close()
  return s:match("%d+")
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- Runs `code` in a child lua5.4 started by /bin/sh after `shell_prefix`
-- (e.g. "umask 000;"); returns the child's stdout, asserting success.
local function sh_lua(shell_prefix, code)
  local script, out, err = os.tmpname(), os.tmpname(), os.tmpname()
  H.writefile(script, code)
  local ok, what, status = os.execute(("%s %s %s >%s 2>%s"):format(
    shell_prefix, H.LUA, script, out, err))
  local o, e = H.readfile(out), H.readfile(err)
  os.remove(script); os.remove(out); os.remove(err)
  assert(ok, ("child failed (%s %s):\n%s%s"):format(what, status, o, e))
  return o
end

local BAD_NAMES = { "", "/", "a/b", "/abs", "..", ".", "../x", "../../tmp/x",
  "x/../y", ("n"):rep(256), ("n"):rep(4096) }

describe("shared memory", function()
  it("is created with mode 0600 whatever the umask", function()
    local name = H.uniq("sec")
    local out = sh_lua("umask 000;", ([[
      local shm = require "ipc.shm"
      local h = assert(shm.create(%q, 64))
      local p = io.popen("stat -c %%a /dev/shm/%s")
      io.write(p:read("a"))
      p:close()
      h:close()
    ]]):format(name, name))
    assert.equal("600\n", out)
    assert.is_false(exists("/dev/shm/" .. name))
    local h = assert(shm.create(name, 64))
    assert.equal("600", stat_mode("/dev/shm/" .. name))
    h:close()
  end)

  it("names cannot leave /dev/shm", function()
    for _, name in ipairs(BAD_NAMES) do
      for _, call in ipairs {
        function() return shm.create(name, 64) end,
        function() return shm.attach(name) end,
        function() return shm.remove(name) end,
      } do
        local r = table.pack(call())
        assert(r[1] == nil and type(r[2]) == "string"
          and math.type(r[3]) == "integer", "name accepted: " .. name:sub(1, 20))
      end
    end
    assert.is_false(exists("/dev/x"))
  end)

  it("attach does not follow a symbolic link planted under the name", function()
    local name = H.uniq("sec")
    local target = os.tmpname()
    H.writefile(target, ("secret"):rep(100))
    assert(os.execute(("ln -s %s /dev/shm/%s"):format(H.shquote(target),
      H.shquote(name))))
    local r = table.pack(shm.attach(name))
    local c = table.pack(shm.create(name, 64))
    os.remove("/dev/shm/" .. name)
    local contents = H.readfile(target)
    os.remove(target)
    assert.is_nil(r[1])
    assert.is_string(r[2])
    assert.is_nil(c[1])
    assert.equal(("secret"):rep(100), contents)
  end)
end)

describe("semaphores", function()
  it("are created with mode 0600 whatever the umask", function()
    if not need("sem") then return end
    local name = H.uniq("sec")
    local out = sh_lua("umask 000;", ([[
      local sem = require "ipc.sem"
      local h = assert(sem.create(%q, 0))
      local p = io.popen("stat -c %%a /dev/shm/sem.%s")
      io.write(p:read("a"))
      p:close()
      h:close()
    ]]):format(name, name))
    assert.equal("600\n", out)
    assert.is_false(exists("/dev/shm/sem." .. name))
  end)

  it("names cannot leave /dev/shm", function()
    if not need("sem") then return end
    local sem = ipc.sem
    for _, name in ipairs(BAD_NAMES) do
      for _, call in ipairs {
        function() return sem.create(name, 0) end,
        function() return sem.open(name, 1) end,
        function() return sem.open(name) end,
        function() return sem.remove(name) end,
      } do
        local r = table.pack(call())
        assert(r[1] == nil and type(r[2]) == "string"
          and math.type(r[3]) == "integer", "name accepted: " .. name:sub(1, 20))
      end
    end
  end)
end)

describe("ipc.proc", function()
  it("argv form passes arguments intact, without a shell", function()
    if not need("proc") then return end
    local marker = os.tmpname()
    os.remove(marker)
    local args = { "a;b", "$(touch " .. marker .. ")", "`touch " .. marker
      .. "`", "'single'", '"double"', "new\nline", " spaced  out ", "*",
      "$HOME", "a|b&&c>d<e", "\\", "" }
    local cmd = { "printf", "[%s]" }
    for _, a in ipairs(args) do cmd[#cmd + 1] = a end
    local r = assert(ipc.proc.run(cmd))
    local want = {}
    for i, a in ipairs(args) do want[i] = "[" .. a .. "]" end
    assert.equal(table.concat(want), r.stdout)
    assert.is_true(r.ok)
    assert.is_false(exists(marker))
  end)

  it("a program name is never handed to a shell", function()
    if not need("proc") then return end
    local marker = os.tmpname()
    os.remove(marker)
    local r = table.pack(ipc.proc.run({ "true; touch " .. marker }))
    assert.is_nil(r[1])
    assert.is_false(exists(marker))
  end)

  -- The descriptors of a child spawned in argv form: number -> target,
  -- without the directory `ls` reads them from.
  local function child_fds()
    local r = assert(ipc.proc.run({ "ls", "-l", "/proc/self/fd" }))
    local fds = {}
    for fd, target in r.stdout:gmatch(" (%d+) %-> ([^\n]*)") do
      if not target:match("^/proc/%d+/fd$") then fds[tonumber(fd)] = target end
    end
    return fds
  end

  -- The descriptors of this process: number -> {target, cloexec}.
  local function own_fds()
    local fds = {}
    local p = io.popen("ls /proc/" .. H.pid() .. "/fd")
    for fd in p:lines() do
      local n = tonumber(fd)
      local info = io.open(("/proc/%d/fdinfo/%d"):format(H.pid(), n))
      if info then -- the listing's own pipe is gone by now
        local flags = tonumber(info:read("a"):match("flags:%s*(%d+)"), 8)
        info:close()
        local l = io.popen(("readlink /proc/%d/fd/%d"):format(H.pid(), n))
        fds[n] = { target = l:read("l"), cloexec = flags & 0x80000 ~= 0 }
        l:close()
      end
    end
    p:close()
    return fds
  end

  local function sorted_keys(t)
    local k = {}
    for n in pairs(t) do k[#k + 1] = n end
    table.sort(k)
    return k
  end

  it("leaks no descriptor of luaipc into a child", function()
    if not need("proc") then return end
    local before = own_fds()
    -- Descriptors luaipc holds: the pipes of another running child, and
    -- whatever its event loop keeps.
    local other = assert(ipc.proc.spawn({ "sleep", "30" }, { stdin = true,
      stdout = true, stderr = true, callback = function() end }))
    local mine = {}
    for n, fd in pairs(own_fds()) do
      if not before[n] or before[n].target ~= fd.target then
        mine[#mine + 1] = fd.target
      end
    end
    local fds = child_fds()
    other:kill("kill")
    other:wait()
    other:close()
    assert(#mine >= 3, "the running child's pipes were not found")
    for n, target in pairs(fds) do
      for _, t in ipairs(mine) do
        assert(target ~= t, ("descriptor %d (%s) leaked"):format(n, t))
      end
    end
    for n = 0, 2 do assert.is_string(fds[n]) end
  end)

  it("leaks no descriptor of the host into a child", function()
    if not need("proc") then return end
    local files = {}
    for i = 1, 4 do files[i] = io.tmpfile() end
    local path = os.tmpname()
    files[5] = assert(io.open(path, "w"))
    local host = own_fds()
    local fds = child_fds()
    for _, f in ipairs(files) do f:close() end
    os.remove(path)
    -- docs/contract.md, "Conventions shared by every module": "a spawned
    -- child inherits only the pipes and files it was given", even files
    -- Lua opened without close-on-exec.
    local extra = {}
    for _, n in ipairs(sorted_keys(fds)) do
      if n > 2 then extra[#extra + 1] = ("%d -> %s"):format(n, fds[n]) end
    end
    assert.same({}, extra)
    -- The host's own descriptors keep their flags: those the test opened are
    -- still inheritable by os.execute afterwards.
    local after = own_fds()
    for n, fd in pairs(host) do
      if after[n] and after[n].target == fd.target then
        assert.equal(fd.cloexec, after[n].cloexec)
      end
    end
  end)

  -- Signal masks of a process from /proc: "SigIgn" and "SigCgt".
  local SIGPIPE, SIGCHLD = 13, 17
  local DISPOSITIONS = [[
    local function disp(sig)
      local f = io.open("/proc/self/status")
      local s = f:read("a")
      f:close()
      local bit = 1 << (sig - 1)
      if tonumber(s:match("SigIgn:%s*(%x+)"), 16) & bit ~= 0 then
        return "ignored"
      elseif tonumber(s:match("SigCgt:%s*(%x+)"), 16) & bit ~= 0 then
        return "caught"
      end
      return "default"
    end
  ]]

  it("keeps the host's SIGCHLD and SIGPIPE dispositions as they were", function()
    if not need("proc") then return end
    local out = sh_lua("env --default-signal=PIPE", DISPOSITIONS .. ([[
      local before = disp(%d) .. " " .. disp(%d)
      local proc = require "ipc.proc"
      local after_require = disp(%d) .. " " .. disp(%d)
      local h = assert(proc.spawn({ "true" }, {}))
      h:wait()
      local after_spawn = disp(%d) .. " " .. disp(%d)
      -- The host's own children still report their status.
      local _, what, code = os.execute("exit 3")
      local p = io.popen("exit 4")
      local _, pwhat, pcode = p:close()
      -- Children, of os.execute and of proc alike, start with SIGPIPE at
      -- its default ("yes | head" must end quietly).
      p = io.popen("awk '/^SigIgn/ { print $2 }' /proc/self/status")
      local child_ign = tonumber(p:read("a"), 16)
      p:close()
      local r = proc.run({ "awk", "/^SigIgn/ { print $2 }", "/proc/self/status" })
      local spawned_ign = tonumber(r.stdout, 16)
      local bit = 1 << (%d - 1)
      print(before, after_require, after_spawn, what, code, pwhat, pcode,
        child_ign & bit, spawned_ign & bit)
    ]]):format(SIGPIPE, SIGCHLD, SIGPIPE, SIGCHLD, SIGPIPE, SIGCHLD, SIGPIPE))
    local before, req, spawn, rest = out:match("^(.-)\t(.-)\t(.-)\t(.*)\n$")
    assert.equal("default default", before)
    -- SIGCHLD is never ignored: that would make the kernel reap children of
    -- os.execute and io.popen before Lua can read their status.
    assert.is_not.matches("ignored$", req)
    assert.is_not.matches("ignored$", spawn)
    -- Neither is changed: writes to children's pipes are protected by
    -- blocking SIGPIPE around them, not by a handler of the process.
    assert.equal("default default", req)
    assert.equal("default default", spawn)
    assert.equal("exit\t3\texit\t4\t0\t0", rest)
  end)

  it("leaves a SIGPIPE the host ignores ignored", function()
    if not need("proc") then return end
    local out = sh_lua("trap '' PIPE; env --ignore-signal=PIPE",
      DISPOSITIONS .. [[
      local proc = require "ipc.proc"
      local h = assert(proc.spawn({ "true" }, {}))
      h:wait()
      print(disp(13))
    ]])
    assert.equal("ignored\n", out)
  end)
end)
