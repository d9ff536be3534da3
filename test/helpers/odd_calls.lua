-- Child program of test/ipc_spec.lua ("never a crash, never a hang"):
-- calls every function and method of every module with combinations of
-- wrong, odd and right arguments, on open and closed handles. Misuse may
-- raise and the OS may fail, but the process must neither crash nor hang. Prints the number of calls made.
local ipc = require "ipc"
local NONE = {}
local closedf = io.open("/dev/null")
closedf:close()
local path = os.tmpname()
local f = assert(io.open(path, "w"))
f:write("0123456789\n12 34\n")
f:close()
local lockf = assert(io.open(path, "r+"))
local tag = ("ipcfuzz-%d-%d"):format(os.time(), math.random(1, 1e9))

local function handles(suffix)
  return {
    strfile = assert(ipc.strfile.open("line\n42\n")),
    mmap = assert(ipc.mmap.open(path, "rw")),
    shm = assert(ipc.shm.create(tag .. suffix, 64)),
    sem = assert(ipc.sem.create(tag .. suffix, 1000)),
    proc = assert(ipc.proc.spawn({ "true" })),
  }
end
local open = handles("o")
local closed = handles("c")
for _, h in pairs(closed) do h:close() end

local first = { NONE, false, true, 0, -1, 1.5, 2^63, math.huge, 0 / 0,
  math.mininteger, "", tag, "l", "n", "a", "r", "w", "rw", "set", "end",
  "term", ("a"):rep(300), {}, print, io.stdout, closedf, ipc.proc.EOF,
  open.strfile, closed.shm, closed.proc, lockf }
local second = { NONE, false, 0, -1, 1.5, 0 / 0, math.maxinteger, "", "l",
  "w", {}, closedf, open.sem }

local calls = 0
local function call(f, self, ...)
  calls = calls + 1
  if self == nil then pcall(f, ...) else pcall(f, self, ...) end
end
local function combos(f, self)
  for _, a in ipairs(first) do
    if a == NONE then call(f, self) else
      for _, b in ipairs(second) do
        if b == NONE then call(f, self, a) else call(f, self, a, b) end
      end
    end
  end
end

local function cleanup_names()
  for _, v in ipairs(first) do
    if type(v) == "string" then ipc.sem.remove(v) ipc.shm.remove(v) end
  end
end

for name, mod in pairs(ipc) do
  for fname, fn in pairs(type(mod) == "table" and mod or {}) do  -- not _VERSION
    -- spawn and run get controlled commands below.
    if type(fn) == "function" and not (name == "proc" and fname ~= "EOF") then
      combos(fn)
      cleanup_names()
      collectgarbage()
    end
  end
end

-- Methods that could block for good get only arguments that cannot.
local blocking = { ["sem.dec"] = true, ["proc.wait"] = true }
for kind, h in pairs(open) do
  for mname, fn in pairs(getmetatable(h).__index) do
    if mname ~= "close" and not blocking[kind .. "." .. mname] then
      combos(fn, h)
    end
    combos(fn, closed[kind])
  end
end
for _, a in ipairs { 0, 0.001, 1e-9, -0.0, "0", 0 / 0, {}, true } do
  call(open.sem.dec, open.sem, a)
end
for _, a in ipairs { 0, 0.001, "0", 0 / 0, {}, true, false } do
  call(open.proc.wait, open.proc, a)
end

local cmds = { { "true" }, {}, 42 }
local options = {}
for _, k in ipairs { "stdin", "stdout", "stderr", "callback", "env",
  "clear_env", "cwd", "group", "timeout", "drain_timeout", "input",
  "max_output" } do
  for _, v in ipairs(second) do
    if v ~= NONE and v ~= "w" then options[#options + 1] = { [k] = v } end
  end
end
for _, o in ipairs { { env = { A = {} } }, { cwd = "/nonexistent" }, { env = { [1] = "x" } }, { env = "x" },
  { stdout = true, callback = error }, { stdin = true, input = "x" } } do
  options[#options + 1] = o
end
for _, c in ipairs(cmds) do
  for _, o in ipairs(options) do
    call(function()
      local h = ipc.proc.spawn(c, o)
      if h then h:close() end
    end)
    if c == cmds[1] then call(ipc.proc.run, nil, c, o) end
  end
end

for _, h in pairs(open) do pcall(h.close, h) end
lockf:close()
os.remove(path)
for _, suffix in ipairs { "o", "c" } do
  ipc.shm.remove(tag .. suffix)
  ipc.sem.remove(tag .. suffix)
end
cleanup_names()
print("calls", calls > 10000)
