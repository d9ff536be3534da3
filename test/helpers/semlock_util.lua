-- Utilities shared by the ipc.sem / ipc.filelock specs and their child
-- programs (found as "helpers.semlock_util" through LUA_PATH).
local M = {}

-- Seconds since boot, from /proc/uptime: a monotonic wall clock with 10 ms
-- resolution, enough for the generous bounds the specs check.
function M.now()
  local f = assert(io.open("/proc/uptime"))
  local t = f:read("n")
  f:close()
  return t
end

-- The process id of this Lua process.
function M.pid()
  local f = assert(io.open("/proc/self/stat"))
  local pid = tonumber(f:read("l"):match("^(%d+)"))
  f:close()
  return pid
end

function M.sleep(seconds)
  os.execute(("sleep %.3f"):format(seconds))
end

-- The command line that runs helper `name` with `args` in a child lua5.4.
function M.command(name, ...)
  local args = { "lua5.4", "test/helpers/" .. name .. ".lua" }
  for i = 1, select("#", ...) do
    args[#args + 1] = "'" .. tostring(select(i, ...)):gsub("'", "'\\''") .. "'"
  end
  return table.concat(args, " ")
end

return M
