-- Hostile input: no call from Lua may crash, hang or corrupt memory.
--
-- The matrix (test/helpers/harden_misuse.lua) calls every public function
-- and method of every module with every wrong type, special numbers, odd
-- strings, names of awkward lengths, closed and foreign handles. Each module
-- runs in a child process under `timeout`, so a crash or a hang fails one
-- test and names the call. The handle lifecycle and proc's re-entrancy are
-- checked here too.
local ipc = require "ipc"

local MODULES = { "strfile", "mmap", "shm", "sem", "filelock", "proc" }
-- Sanitized children are several times slower.
local LIMIT = H.SANITIZED and 180 or 60

-- Runs a child lua5.4 under `timeout`; returns its exit code (124 for a
-- hang, 128+n for signal n), stdout and stderr.
local function run_child(args)
  local out, err = os.tmpname(), os.tmpname()
  local q = {}
  for i, a in ipairs(args) do q[i] = H.shquote(a) end
  local _, _, code = os.execute(("timeout -k 5 %d %s %s >%s 2>%s"):format(
    LIMIT, H.LUA, table.concat(q, " "), out, err))
  local o, e = H.readfile(out), H.readfile(err)
  os.remove(out); os.remove(err)
  return code, o, e
end

-- Runs Lua `code` in a child and returns exit code, stdout, stderr.
local function run_code(code)
  local script = os.tmpname()
  H.writefile(script, code)
  local rc, o, e = run_child { script }
  os.remove(script)
  return rc, o, e
end

local function sanitizer_clean(stderr)
  return not (stderr:find("Sanitizer", 1, true)
    or stderr:find("runtime error", 1, true))
end

-- Names with this prefix left in /dev/shm (segments and semaphores); they
-- are removed, so that a failing run leaves nothing behind either.
local function leftovers(prefix)
  local left = {}
  local p = io.popen("ls /dev/shm")
  for name in p:lines() do
    if name:find(prefix, 1, true) then left[#left + 1] = name end
  end
  p:close()
  for _, name in ipairs(left) do os.remove("/dev/shm/" .. name) end
  return left
end

local function module_present(m)
  return next(ipc[m]) ~= nil
end

-- Runs the matrix of module `m` in a child (`luv`: "luv" loads luv first,
-- "luvrun" makes every call from a coroutine under uv.run()) and checks
-- that every call behaved.
local function check_batch(m, luv)
  if not module_present(m) then
    pending("ipc." .. m .. " has not landed")
    return
  end
  local prefix = H.uniq("hm")
  local rc, out, err = run_child { "test/helpers/harden_misuse.lua", m,
    prefix, luv }
  local left = leftovers(prefix)
  local last = out:match("([^\n]*)\n$") or ""
  assert(rc ~= 124, "hung after: " .. last)
  assert(rc == 0, ("exit %d after: %s\n%s"):format(rc, last, err))
  assert(sanitizer_clean(err), err)
  local bad = {}
  for line in out:gmatch("bad [^\n]*") do bad[#bad + 1] = line end
  assert.same({}, bad)
  local calls = tonumber(last:match("^done (%d+) 0$"))
  assert(calls and calls > 100, "no summary line: " .. last)
  assert.same({}, left)
end

describe("hostile arguments", function()
  for _, m in ipairs(MODULES) do
    it("never crash or hang ipc." .. m, function() check_batch(m) end)
  end

  -- With luv in the state, proc, sem and filelock take their luv paths:
  -- blocking on luv's loop, or suspending a coroutine while uv.run() runs.
  for _, m in ipairs { "sem", "filelock", "proc" } do
    it("never crash or hang ipc." .. m .. " with luv loaded", function()
      check_batch(m, "luv")
    end)
    it("never crash or hang ipc." .. m .. " inside uv.run()", function()
      check_batch(m, "luvrun")
    end)
  end

  it("never crash require 'ipc' and its table", function()
    local rc, out, err = run_child { "test/helpers/harden_misuse.lua", "ipc" }
    assert.equal(0, rc, err)
    assert.equal("done 0 0\n", out)
  end)

  it("a method called on a handle of another module raises", function()
    local s = ipc.strfile.open("x")
    local path = os.tmpname()
    H.writefile(path, ("y"):rep(100))
    local mm = assert(ipc.mmap.open(path))
    local name = H.uniq("hm")
    local sh = assert(ipc.shm.create(name, 64))
    local handles = { ["ipc.strfile"] = s, ["ipc.mmap"] = mm, ["ipc.shm"] = sh }
    for tname, h in pairs(handles) do
      for oname, other in pairs(handles) do
        if oname ~= tname then
          for mname, fn in pairs(getmetatable(h).__index) do
            local ok, msg = pcall(fn, other, "l")
            assert(not ok, tname .. ":" .. mname .. " accepted a " .. oname)
            assert.matches(tname, msg, 1, true)
          end
        end
      end
    end
    sh:close(); mm:close(); os.remove(path)
  end)

  it("requiring a module does not touch the global table", function()
    local rc, out, err = run_code [[
      local before = {}
      for k, v in pairs(_G) do before[k] = v end
      for _, m in ipairs { "ipc.shm", "ipc.sem", "ipc.mmap", "ipc.filelock",
        "ipc.proc", "ipc.strfile", "ipc" } do
        assert(type(require(m)) == "table", m)
      end
      for k, v in pairs(_G) do
        if before[k] ~= v then print("changed global " .. tostring(k)) end
      end
      for k in pairs(before) do
        if _G[k] == nil then print("removed global " .. tostring(k)) end
      end
    ]]
    assert.equal(0, rc, err)
    assert.equal("", out)
  end)
end)

-- One open handle of every type that exists, and how to make another.
local function makers()
  local t, cleanup = {}, {}
  t.strfile = function() return ipc.strfile.open("a\nb\n") end
  t.mmap = function()
    local path = os.tmpname()
    H.writefile(path, ("z"):rep(64))
    cleanup[#cleanup + 1] = function() os.remove(path) end
    return assert(ipc.mmap.open(path, "rw"))
  end
  t.shm = function()
    local name = H.uniq("hm")
    cleanup[#cleanup + 1] = function() ipc.shm.remove(name) end
    return assert(ipc.shm.create(name, 64))
  end
  if module_present("sem") then
    t.sem = function()
      local name = H.uniq("hm")
      cleanup[#cleanup + 1] = function() ipc.sem.remove(name) end
      return assert(ipc.sem.create(name, 1))
    end
  end
  if module_present("proc") then
    t.proc = function() return assert(ipc.proc.spawn({ "true" }, {})) end
  end
  return t, function() for _, f in ipairs(cleanup) do f() end end
end

describe("the handle lifecycle", function()
  for _, kind in ipairs { "strfile", "mmap", "shm", "sem", "proc" } do
    it("is shared by ipc." .. kind, function()
      local make, cleanup = makers()
      if not make[kind] then
        pending("ipc." .. kind .. " has not landed")
        return
      end
      local cname = "ipc." .. kind
      local h = make[kind]()
      local mt = getmetatable(h)
      assert.equal(cname, mt.__name)
      assert.is_function(mt.__gc)
      assert.is_function(mt.__close)
      assert.is_nil(io.type(h))
      assert.matches("^ipc%." .. kind .. " %(0x%x+%)$", tostring(h))
      assert.is_true(h:close())
      assert.equal(cname .. " (closed)", tostring(h))
      assert.has_error(function() h:close() end,
        "attempt to use a closed handle")
      -- Every method of a closed handle raises the same error.
      for mname, fn in pairs(mt.__index) do
        local ok, msg = pcall(fn, h, "l")
        assert(not ok, mname .. " of a closed handle did not raise")
        assert.matches("attempt to use a closed handle", msg, 1, true)
      end
      -- __close closes at the end of the scope.
      local saved
      do
        local c <close> = make[kind]()
        saved = c
        assert.matches("%(0x", tostring(c))
      end
      assert.equal(cname .. " (closed)", tostring(saved))
      -- __gc of an open handle and of a closed one is harmless.
      make[kind]()
      mt.__gc(saved)
      collectgarbage(); collectgarbage()
      cleanup()
    end)
  end
end)

describe("proc callbacks", function()
  local function in_child(code)
    local rc, out, err = run_code(code)
    assert(rc ~= 124, "hung:\n" .. out .. err)
    assert(rc == 0, ("exit %d:\n%s%s"):format(rc, out, err))
    assert(sanitizer_clean(err), err)
    return out
  end

  local function need_proc()
    if not module_present("proc") then
      pending("ipc.proc has not landed")
      return false
    end
    return true
  end

  it("may call wait of their own handle", function()
    if not need_proc() then return end
    local out = in_child [[
      local proc = require "ipc.proc"
      local h
      local inner = {}
      h = assert(proc.spawn({ "echo", "hi" }, { stdout = true,
        callback = function(stream, data)
          inner[#inner + 1] = table.pack(pcall(h.wait, h))
        end }))
      local ok, what, code = h:wait()
      print(ok, what, code, #inner > 0)
      -- Whatever the inner wait did, the outer one got the status.
      for _, r in ipairs(inner) do
        assert(r[1] == false and type(r[2]) == "string" or r[2] == true,
          tostring(r[2]))
      end
    ]]
    assert.equal("true\texit\t0\ttrue\n", out)
  end)

  it("may close their own handle", function()
    if not need_proc() then return end
    local out = in_child [[
      local proc = require "ipc.proc"
      local h
      h = assert(proc.spawn({ "sh", "-c", "echo a; sleep 5; echo b" }, {
        stdout = true,
        callback = function(stream, data) if data then h:close() end end }))
      local r = table.pack(pcall(h.wait, h))
      -- Raising "closed handle" or returning a status are both sane.
      assert(r[1] == false and type(r[2]) == "string" or r[1] == true,
        tostring(r[2]))
      print(tostring(h))
    ]]
    assert.equal("ipc.proc (closed)\n", out)
  end)

  it("may raise, and wait continues afterwards", function()
    if not need_proc() then return end
    local out = in_child [[
      local proc = require "ipc.proc"
      local seen = {}
      local h = assert(proc.spawn({ "printf", "x" }, { stdout = true,
        callback = function(stream, data)
          if data then seen[#seen + 1] = data end
          if data then error("from the callback") end
        end }))
      local ok, msg = pcall(h.wait, h)
      assert(not ok and tostring(msg):find("from the callback"), msg)
      print(h:wait())
      print(table.concat(seen))
    ]]
    assert.equal("true\texit\t0\nx\n", out)
  end)
end)
