-- What the numbers were measured on: CPU model, cores, cache sizes, kernel
-- and load, read from /proc and sysfs (getconf where sysfs has no caches).
-- Printed beside every table of the runner and written into every CSV row,
-- so that a result never travels without the machine it holds for.
local M = {}

local function readfile(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function command(cmd)
  local p = io.popen(cmd .. " 2>/dev/null")
  if not p then return nil end
  local s = p:read("a")
  p:close()
  return s
end

-- "48K" / "2048K" / "480M" -> bytes.
local function size_bytes(s)
  local n, unit = tostring(s or ""):match("^%s*(%d+)%s*([KMG]?)")
  if not n then return nil end
  return tonumber(n) * ({ [""] = 1, K = 1024, M = 1024 ^ 2, G = 1024 ^ 3 })[unit]
end

function M.human(bytes)
  if not bytes then return "?" end
  for _, u in ipairs { { 1024 ^ 3, "GiB" }, { 1024 ^ 2, "MiB" }, { 1024, "KiB" } } do
    if bytes >= u[1] and bytes % u[1] == 0 then
      return ("%d %s"):format(bytes // u[1], u[2])
    end
  end
  return ("%d B"):format(bytes)
end

-- Cache sizes of cpu0 by name ("l1d", "l2", "l3"), in bytes.
local function caches()
  local found = {}
  for i = 0, 9 do
    local base = ("/sys/devices/system/cpu/cpu0/cache/index%d/"):format(i)
    local level = readfile(base .. "level")
    if not level then break end
    local kind = (readfile(base .. "type") or ""):match("%a+")
    local name = "l" .. level:match("%d+")
    if kind == "Data" then name = name .. "d" end
    if kind ~= "Instruction" then found[name] = size_bytes(readfile(base .. "size")) end
  end
  if not next(found) then
    local conf = command("getconf -a") or ""
    for name, key in pairs { l1d = "LEVEL1_DCACHE_SIZE", l2 = "LEVEL2_CACHE_SIZE",
                             l3 = "LEVEL3_CACHE_SIZE" } do
      local v = tonumber(conf:match(key .. "%s+(%d+)"))
      if v and v > 0 then found[name] = v end
    end
  end
  return found
end

function M.load()
  return (readfile("/proc/loadavg") or ""):match("^(%S+ %S+ %S+)") or "unknown"
end

function M.describe()
  local cpuinfo = readfile("/proc/cpuinfo") or ""
  local cores = 0
  for _ in cpuinfo:gmatch("\nprocessor%s*:") do cores = cores + 1 end
  if cpuinfo:match("^processor%s*:") then cores = cores + 1 end
  local c = caches()
  return {
    cpu = (cpuinfo:match("model name%s*:%s*([^\n]+)") or "unknown"):gsub("%s+$", ""),
    cores = cores,
    l1d = c.l1d, l2 = c.l2, l3 = c.l3,
    kernel = ((readfile("/proc/sys/kernel/osrelease")
               or command("uname -r") or "unknown"):gsub("%s+$", "")),
  }
end

-- One line for a table header; `load` is read now.
function M.line(m)
  return ("machine: %s, %d cores, L1d %s, L2 %s, L3 %s (per cpu0), kernel %s, "
    .. "load average %s"):format(m.cpu, m.cores, M.human(m.l1d), M.human(m.l2),
    M.human(m.l3), m.kernel, M.load())
end

M.csv_header = "cpu,cores,l1d_bytes,l2_bytes,l3_bytes,kernel,load"

function M.csv(m)
  local function q(s) return '"' .. tostring(s):gsub('"', '""') .. '"' end
  return table.concat({ q(m.cpu), m.cores, m.l1d or "", m.l2 or "", m.l3 or "",
    q(m.kernel), q(M.load()) }, ",")
end

return M
