-- Memory failures injected at every allocation of every method of the
-- modules: tools/lua_host --oom runs each snippet of
-- test/regress/oom/ in a fresh Lua state whose allocator fails from its
-- Nth allocation on, for N = 1, 2, ... until a run completes. Each run must
-- end with a Lua error (never a crash), and closing the state must give
-- back every byte; in the sanitized build, LeakSanitizer checks the memory
-- of the module itself too.
local H = require "spec_helper"
local shm, sem = require "ipc.shm", require "ipc.sem"

local HOST = H.BUILD .. "/tools/lua_host"

local function run(snippet)
  local file = os.tmpname()
  H.writefile(file, ("line one\nline two\n"):rep(400))
  local name = H.uniq("ipc13oom")
  local env = ("IPC_OOM_FILE=%s IPC_OOM_NAME=%s"):format(file, name)
  if H.SANITIZED then env = env .. " ASAN_OPTIONS=detect_leaks=1:abort_on_error=1" end
  local out = os.tmpname()
  local ok, _, code = os.execute(("%s %s --oom test/regress/oom/%s.lua >%s 2>&1")
    :format(env, HOST, snippet, out))
  local text = H.readfile(out)
  os.remove(out)
  os.remove(file)
  -- Nothing is left under the name, whatever run ended where.
  local left = shm.attach(name) or sem.open(name)
  if left then shm.remove(name) sem.remove(name) end
  assert(ok, ("%s: exit %s\n%s"):format(snippet, tostring(code), text))
  assert.is_nil(left, "a name was left behind")
  return tonumber(text:match("(%d+) runs"))
end

describe("every allocation of every method can fail", function()
  for _, snippet in ipairs { "strfile", "mmap", "shm", "sem", "filelock", "proc" } do
    it(snippet, function()
      assert.is_true(run(snippet) > 100)
    end)
  end
end)
