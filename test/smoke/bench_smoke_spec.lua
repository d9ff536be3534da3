-- The benchmark suite must keep running: a smoke run (every workload once at
-- tiny sizes, nothing timed or judged) has to succeed and report every
-- workload, "ok" when its modules are built and "skipped" when one of them
-- is still a placeholder.
local WORKLOADS = {
  pipe_out = { "proc" }, pipe_roundtrip = { "proc" }, pipe_window = { "proc" },
  spawn_rate = { "proc" }, lines_mmap = { "mmap" }, mmap_read_a = { "mmap" },
  strfile_lines = { "strfile" }, sem_pingpong = { "sem" },
  filelock_cycles = { "filelock" }, shm_rw = { "shm" }, mem_queue = { "proc" },
}

local function available(modules)
  for _, m in ipairs(modules) do
    local ok, t = pcall(require, "ipc." .. m)
    if not ok or type(t) ~= "table" or next(t) == nil then return false end
  end
  return true
end

describe("bench/run.lua --smoke", function()
  it("runs every workload and exits with status 0", function()
    local p = assert(io.popen(H.LUA .. " bench/run.lua --smoke 2>&1"))
    local out = p:read("a")
    local ok, what, code = p:close()
    assert(ok, ("smoke run failed (%s %s):\n%s"):format(what, code, out))
    for name, modules in pairs(WORKLOADS) do
      local expected = available(modules) and "ok" or "skipped"
      assert(out:match("\n" .. name .. "%s+" .. expected),
        ("no '%s %s' line in:\n%s"):format(name, expected, out))
    end
    assert.is_nil(out:match("FAILED"), out)
  end)
end)
