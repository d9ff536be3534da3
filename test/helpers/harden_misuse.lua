-- Child program of test/cross/misuse_spec.lua: calls every public
-- function and method of one module with hostile arguments and checks that
-- each call either raises a Lua error with a string message or returns one
-- of the documented result shapes. A crash, a hang or a sanitizer report
-- ends this process abnormally, and the spec reports it as a failure.
--
-- Usage: lua5.4 harden_misuse.lua <module> [prefix [luv|luvrun]]
--   <module> is shm, sem, mmap, filelock, proc, strfile or ipc; with "luv",
--   luv is loaded first, so that ipc.proc lives on luv's loop; with
--   "luvrun", every call is made from a coroutine while uv.run() runs, where
--   waits suspend the coroutine instead of blocking.
-- Output: one "call <n> <label>" line before each call (so that the last one
-- names the call that crashed), "bad <label>: <why>" for a wrong result,
-- and "done <calls>" at the end. Line buffered.
io.stdout:setvbuf("line")

local target, prefix = arg[1], arg[2] or ("hm" .. math.random(1, 1e9))
local luv_mode = arg[3]
local uv = luv_mode and require "luv"
local ipc = require "ipc"
local strfile, shm, mmap = ipc.strfile, ipc.shm, ipc.mmap
local sem, filelock, proc = ipc.sem, ipc.filelock, ipc.proc

-- Everything to release when a row or the batch ends.
local names, files, tmpfiles = {}, {}, {}

local counter = 0
local function uniq()
  counter = counter + 1
  return ("%s-%d"):format(prefix, counter)
end

-- Names of exactly `n` bytes that no other run uses (n >= #prefix + 4).
local function name_of(n)
  local s = uniq()
  s = n <= #s and s:sub(-n) or s .. ("x"):rep(n - #s)
  names[#names + 1] = s -- a call may create it: removed at the end
  return s
end

local function tmpfile(contents)
  local path = os.tmpname()
  local f = assert(io.open(path, "wb"))
  f:write(contents or ("0123456789abcdef\n"):rep(512))
  f:close()
  tmpfiles[#tmpfiles + 1] = path
  return path
end

-- Handle makers: an open handle of every module type that exists.
local makers = {}
makers.strfile = function() return strfile.open("line one\n2 3.5\nlast") end
makers.mmap = function()
  return assert(mmap.open(tmpfile(), "rw"))
end
makers.shm = function()
  local n = uniq()
  names[#names + 1] = n
  return assert(shm.create(n, 4096))
end
if sem.create then
  makers.sem = function()
    local n = uniq()
    names[#names + 1] = n
    return assert(sem.create(n, 1000)) -- dec never has to wait
  end
end
if proc.spawn then
  -- A child that ends at once: waiting for it never hangs.
  makers.proc = function()
    return assert(proc.spawn({ "true" }, { stdin = true }))
  end
  makers.sleeper = function()
    return assert(proc.spawn({ "sleep", "30" }, { stdin = true }))
  end
end
local function closed(kind)
  local h = makers[kind]()
  h:close()
  return h
end

local function closed_file()
  local f = io.tmpfile()
  f:close()
  return f
end

-- The hostile values: every wrong type, special numbers, odd strings,
-- names of awkward lengths, closed and foreign handles.
local function hostile()
  local v = {
    { "nil", nil }, { "false", false }, { "true", true },
    { "0", 0 }, { "-1", -1 }, { "-2^31", -2 ^ 31 }, { "0.5", 0.5 },
    { "nan", 0 / 0 }, { "inf", 1 / 0 }, { "-inf", -1 / 0 },
    { "maxinteger", math.maxinteger }, { "mininteger", math.mininteger },
    { "''", "" }, { "'a\\0b'", "a\0b" }, { "'\\0'", "\0" },
    { "'/'", "/" }, { "'..'", ".." }, { "'../x'", "../x" },
    { "name1", name_of(1) }, { "name255", name_of(255) },
    { "name256", name_of(256) }, { "name4096", name_of(4096) },
    { "table", {} }, { "array", { "a", 1 } }, { "function", print },
    { "coroutine", coroutine.create(print) },
    { "io.stdout", io.stdout }, { "closed io file", closed_file() },
    { "lightuserdata", strfile.open("x"):addr() },
  }
  for _, kind in ipairs { "strfile", "mmap", "shm", "sem", "proc" } do
    if makers[kind] then
      v[#v + 1] = { "open " .. kind, makers[kind]() }
      v[#v + 1] = { "closed " .. kind, closed(kind) }
    end
  end
  return v
end

-- Messages that betray a bug in the binding rather than a checked misuse.
local INTERNAL = { "attempt to index", "attempt to call",
  "attempt to perform arithmetic", "attempt to compare",
  "attempt to concatenate", "stack overflow", "C stack" }

local calls, bad = 0, 0
local function report(label, why)
  bad = bad + 1
  print(("bad %s: %s"):format(label, why))
end

local function release(v)
  if type(v) == "userdata" and getmetatable(v) and getmetatable(v).__name
      and tostring(getmetatable(v).__name):match("^ipc%.") then
    pcall(v.close, v)
  end
end

-- Calls fn(args[1..n]) and checks the outcome.
local function try(label, fn, args, n)
  calls = calls + 1
  print(("call %d %s"):format(calls, label))
  local r = table.pack(pcall(fn, table.unpack(args, 1, n)))
  if not r[1] then
    local msg = r[2]
    if type(msg) ~= "string" then
      report(label, "error value is a " .. type(msg))
      return
    end
    for _, pat in ipairs(INTERNAL) do
      if msg:find(pat, 1, true) then report(label, msg) end
    end
    return
  end
  if r.n >= 2 and r[2] == nil and r.n >= 3 then
    -- The failure shape: nil, message [, positive code].
    if type(r[3]) ~= "string" then
      report(label, "nil without a message")
    elseif r.n >= 4 and r[4] ~= nil
        and not (math.type(r[4]) == "integer" and r[4] > 0) then
      report(label, "failure code is not a positive integer")
    end
  end
  for i = 2, r.n do release(r[i]) end
end

-- Runs the matrix of one function: each position of `defaults()` in turn
-- (and one past the end) receives each hostile value. `defaults(p)` may
-- skip making the value at position p, which is replaced anyway. With
-- `keep`, the default values are the row's to release (they are reused).
local function sweep(label, fn, defaults, values, keep)
  local base = defaults()
  for p = 1, #base + 1 do
    for _, hv in ipairs(values) do
      local args = defaults(p)
      args[p] = hv[2]
      local n = math.max(#base, p)
      try(("%s arg %d = %s"):format(label, p, hv[1]), fn, args, n)
      for i = 1, n do
        if i ~= p and not keep then release(args[i]) end
      end
    end
  end
end

-- A maker that hands out the same handle until a call closes it: each call
-- gets an open handle, in whatever state earlier calls left it, without a
-- new process or segment per call. `done()` releases the last one.
local function reusing(make)
  local h
  local function get()
    if not h or tostring(h):find("(closed)", 1, true) then h = make() end
    return h
  end
  return get, function() release(h); h = nil end
end

-- Every method and metamethod of a handle type, with a valid default
-- argument list.
local function method_rows(kind, method_args, method_makers)
  local rows = {}
  local h = makers[kind]()
  local index = getmetatable(h).__index
  h:close()
  local names_sorted = {}
  for k in pairs(index) do names_sorted[#names_sorted + 1] = k end
  table.sort(names_sorted)
  for _, m in ipairs(names_sorted) do
    local extra = method_args[m] or {}
    local make, done = reusing(method_makers and method_makers[m]
      or makers[kind])
    rows[#rows + 1] = {
      label = ("%s:%s"):format(kind, m),
      fn = index[m],
      defaults = function(p)
        local args = { p ~= 1 and make() or false }
        for i, a in ipairs(extra) do args[i + 1] = a end
        return args
      end,
      keep = true, done = done,
    }
  end
  -- The metamethods are reachable too (getmetatable(h).__gc(x)).
  local mt = getmetatable(makers[kind]())
  for _, mm in ipairs { "__gc", "__close", "__tostring" } do
    local make, done = reusing(makers[kind])
    rows[#rows + 1] = {
      label = ("%s %s"):format(kind, mm),
      fn = mt[mm],
      defaults = function(p) return { p ~= 1 and make() or false } end,
      keep = true, done = done,
    }
  end
  return rows
end

local FILE_METHOD_ARGS = {
  read = { "l" }, lines = { "L" }, write = { "x" }, seek = { "set", 1 },
  setvbuf = { "no" }, truncate = { 1 },
}

local modules = { shm = shm, sem = sem, mmap = mmap, filelock = filelock,
  proc = proc, strfile = strfile }

if target ~= "ipc" and next(modules[target]) == nil then
  print("absent " .. target) -- not landed yet: the spec marks it pending
  os.exit(0)
end

local rows = {}
local function row(label, fn, defaults)
  rows[#rows + 1] = { label = label, fn = fn, defaults = defaults }
end

-- Extremes of the file-like methods that a one-argument sweep misses.
local function add_file_edges(kind)
  local function many(v, n)
    local t = {}
    for i = 1, n do t[i] = v end
    return table.unpack(t)
  end
  local edges = {
    { "read 1000 formats", function(h) return h:read(many("l", 1000)) end },
    { "read 100000 formats", function(h) return h:read(many(1, 100000)) end },
    { "lines 250 formats", function(h) return h:lines(many("n", 250))() end },
    { "lines 251 formats", function(h) return h:lines(many("n", 251)) end },
    { "iterator after close", function(h)
      local it = h:lines()
      h:close()
      return it()
    end },
    { "write 10000 values", function(h) return h:write(many(1.5, 10000)) end },
    { "seek end mininteger", function(h) return h:seek("end", math.mininteger) end },
    { "seek cur maxinteger", function(h) return h:seek("cur", math.maxinteger) end },
    { "read after truncate 0", function(h)
      h:seek("end")
      assert(h:truncate(0))
      return h:read("a", "n", "l", 0, 5), h:seek("cur"), h:lines()()
    end },
    { "write after truncate 0", function(h)
      assert(h:truncate(0))
      return h:write("x")
    end },
    { "long numeral", function(h)
      h:write(("9"):rep(1000))
      h:seek("set")
      return h:read("n", "n")
    end },
  }
  for _, e in ipairs(edges) do
    rows[#rows + 1] = {
      label = ("%s %s"):format(kind, e[1]), single = true, fn = e[2],
      defaults = function() return { makers[kind]() } end,
    }
  end
end
local function add_methods(kind, method_args, method_makers)
  for _, r in ipairs(method_rows(kind, method_args, method_makers)) do rows[#rows + 1] = r end
end

if target == "strfile" then
  row("strfile.open", strfile.open, function() return { "abc" } end)
  add_methods("strfile", FILE_METHOD_ARGS)
  add_file_edges("strfile")
elseif target == "mmap" then
  row("mmap.open", mmap.open, function() return { tmpfile(), "rw", 0, 0 } end)
  add_methods("mmap", FILE_METHOD_ARGS)
  add_file_edges("mmap")
elseif target == "shm" then
  row("shm.create", shm.create, function()
    local n = uniq()
    names[#names + 1] = n
    return { n, 64 }
  end)
  row("shm.attach", shm.attach, function()
    local h = makers.shm()
    files[#files + 1] = h -- keeps the name until the batch ends
    return { names[#names] }
  end)
  row("shm.remove", shm.remove, function() return { uniq() } end)
  add_methods("shm", FILE_METHOD_ARGS)
  add_file_edges("shm")
elseif target == "sem" then
  row("sem.create", sem.create, function()
    local n = uniq()
    names[#names + 1] = n
    return { n, 1 }
  end)
  row("sem.open", sem.open, function()
    local n = uniq()
    names[#names + 1] = n
    return { n, 1 }
  end)
  row("sem.remove", sem.remove, function() return { uniq() } end)
  add_methods("sem", { dec = { 0 } })
elseif target == "filelock" then
  -- A file of its own for every call: locks of different open files
  -- conflict, and a conflict would make lock() wait forever.
  local function file()
    local f = assert(io.open(tmpfile(), "r+"))
    files[#files + 1] = f
    return f
  end
  for _, fname in ipairs { "lock", "trylock" } do
    row("filelock." .. fname, filelock[fname], function()
      return { file(), "w", 0, 10 }
    end)
  end
  row("filelock.unlock", filelock.unlock, function()
    return { file(), 0, 10 }
  end)
elseif target == "proc" then
  row("proc.spawn", proc.spawn, function() return { { "true" }, {} } end)
  row("proc.run", proc.run, function() return { { "true" }, {} } end)
  -- Every option receives every hostile value too (once: options are read
  -- the same way with or without luv).
  for _, opt in ipairs(luv_mode and {} or { "stdin", "stdout", "stderr", "callback", "env",
    "clear_env", "cwd", "group", "timeout", "drain_timeout", "input",
    "max_output" }) do
    local fname = (opt == "input" or opt == "max_output") and "run" or "spawn"
    for _, hv in ipairs(hostile()) do
      local opts = { [opt] = hv[2] }
      if opt == "callback" then opts.stdout = true end
      rows[#rows + 1] = {
        label = ("proc.%s option %s = %s"):format(fname, opt, hv[1]),
        single = true,
        fn = proc[fname],
        defaults = function() return { { "true" }, opts } end,
      }
    end
  end
  for _, hv in ipairs(hostile()) do
    rows[#rows + 1] = {
      label = ("proc.spawn env value = %s"):format(hv[1]),
      single = true,
      fn = proc.spawn,
      defaults = function() return { { "true" }, { env = { X = hv[2] } } } end,
    }
  end
  -- Odd command arrays and environment keys.
  local big = {}
  for i = 1, 200000 do big[i] = "arg" end
  local odd = {
    { "cmd {}", {}, {} }, { "cmd {''}", { "" }, {} },
    { "cmd with NUL", { "printf", "a\0b" }, {} },
    { "cmd with a table", { "echo", {} }, {} }, { "cmd {1}", { 1 }, {} },
    { "cmd with a hole", { "echo", nil, "x" }, {} },
    { "cmd 200000 args", big, {} },
    { "cmd 1 MB argument", { "true", ("a"):rep(1 << 20) }, {} },
    { "program name4096", { name_of(4096) }, {} },
    { "program '/'", { "/" }, {} },
    { "cwd with NUL", { "true" }, { cwd = "/tmp\0/x" } },
    { "env key ''", { "true" }, { env = { [""] = "x" } } },
    { "env key 'A=B'", { "true" }, { env = { ["A=B"] = "x" } } },
    { "env key with NUL", { "true" }, { env = { ["A\0B"] = "x" } } },
    { "env value with NUL", { "true" }, { env = { A = "x\0y" } } },
    { "env key 1", { "true" }, { env = { [1] = "x" } } },
    { "env 10000 vars", { "true" }, { env = (function()
      local e = {}
      for i = 1, 10000 do e["V" .. i] = ("v"):rep(100) end
      return e
    end)() } },
  }
  for _, o in ipairs(odd) do
    for _, fname in ipairs { "spawn", "run" } do
      rows[#rows + 1] = {
        label = ("proc.%s %s"):format(fname, o[1]), single = true,
        fn = proc[fname], defaults = function() return { o[2], o[3] } end,
      }
    end
  end
  rows[#rows + 1] = {
    label = "proc write after EOF", single = true,
    fn = function()
      local h = assert(proc.spawn({ "true" }, { stdin = true }))
      h:write("x", proc.EOF)
      return h:write("y")
    end,
    defaults = function() return {} end,
  }
  add_methods("proc", { write = { "x" }, kill = { "term" }, wait = { 0 } },
    { kill = makers.sleeper })
elseif target == "ipc" then
  -- The aggregate module: its functions are the modules' own.
  for mname, m in pairs(modules) do
    if ipc[mname] ~= m then report("ipc." .. mname, "not the module table") end
  end
else
  error("unknown module " .. tostring(target))
end

local function run_rows()
  for _, r in ipairs(rows) do
    if r.single then
      local args = r.defaults()
      try(r.label, r.fn, args, #args)
    else
      sweep(r.label, r.fn, r.defaults, hostile(), r.keep)
    end
    if r.done then r.done() end
    for _, f in ipairs(files) do release(f); pcall(io.close, f) end
    files = {}
    collectgarbage() -- runs __gc of everything the row dropped
  end
end

if luv_mode == "luvrun" then
  local finished = false
  local timer = uv.new_timer()
  timer:start(0, 0, function()
    timer:close()
    coroutine.wrap(function()
      run_rows()
      finished = true
    end)()
  end)
  uv.run()
  if not finished then report("uv.run", "ended before the calls did") end
else
  run_rows()
end

for _, n in ipairs(names) do
  if shm then pcall(shm.remove, n) end
  if sem.remove then pcall(sem.remove, n) end
end
for _, p in ipairs(tmpfiles) do os.remove(p) end
print(("done %d %d"):format(calls, bad))
