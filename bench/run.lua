-- The benchmark runner of luaipc: `make bench`, or from the repository root
--   lua5.4 bench/run.lua [--reps N] [--warmup N] [--only a,b] [--csv FILE]
--                        [--smoke]
-- Each workload has a luaipc variant, peer variants doing the same work with
-- what Lua programs use today (io.popen, luv, io.lines, ...) and often a C
-- program doing it the cheapest way. Every variant runs in its own process
-- and times its own work with the monotonic clock (see bench/variant.lua).
-- Variants run interleaved (A B C A B C ...) and each comparison is the
-- median of the per-repetition ratios, so that slow phases of a busy
-- machine hit both sides of a ratio alike.
-- BENCH_ORIGINAL=<folder holding the original library's ipc.so> adds the
-- original C library as a variant of every workload it can run.
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = dir .. "/?.lua;" .. package.path
local root = dir .. "/.."
local out_dir = root .. "/build-bench"
if not os.getenv("LUA_CPATH") then
  package.cpath = root .. "/build/?.so;" .. package.cpath
end

local WORKLOADS = require "workloads"
local inputs = require "inputs"
local machine = require "machine"
local report = require "report"
local LABELS = WORKLOADS.labels

local function usage(msg)
  if msg then io.stderr:write("bench: ", msg, "\n") end
  io.stderr:write([[
usage: lua5.4 bench/run.lua [options]
  --reps N      repetitions per variant (default 5)
  --warmup N    untimed rounds before them (default 1)
  --only a,b    run only these workloads
  --csv FILE    also write the results as CSV
  --smoke       every workload once at tiny sizes, nothing judged
environment: BENCH_ORIGINAL=DIR  also run the original library (DIR/ipc.so)
]])
  os.exit(msg and 2 or 0)
end

local opts = { reps = 5, warmup = 1 }
do
  local i = 1
  while i <= #arg do
    local a = arg[i]
    local function value()
      i = i + 1
      return arg[i] or usage(a .. " needs a value")
    end
    if a == "--reps" then
      opts.reps = tonumber(value())
      if not opts.reps or opts.reps < 1 then usage("bad --reps") end
    elseif a == "--warmup" then
      opts.warmup = tonumber(value())
      if not opts.warmup or opts.warmup < 0 then usage("bad --warmup") end
    elseif a == "--only" then
      opts.only = {}
      for w in value():gmatch("[^,%s]+") do opts.only[w] = true end
    elseif a == "--csv" then
      opts.csv = value()
    elseif a == "--smoke" then
      opts.smoke = true
    elseif a == "--help" or a == "-h" then
      usage()
    else
      usage("unknown option " .. a)
    end
    i = i + 1
  end
end
if opts.smoke then opts.reps, opts.warmup = 1, 0 end
if opts.only then
  local known = {}
  for _, w in ipairs(WORKLOADS) do known[w.name] = true end
  for w in pairs(opts.only) do
    if not known[w] then usage("unknown workload " .. w) end
  end
end
local original = os.getenv("BENCH_ORIGINAL")
if original == "" then original = nil end

local function shquote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function sh(cmd)
  return os.execute(cmd) == true
end

local function readfile(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local s = f:read("a")
  f:close()
  return s
end

-- The native parts are described by bench/CMakeLists.txt; CMake rebuilds
-- what is older than its sources. The lock keeps two runs at once from
-- building into the same folder together.
local function build_native()
  local configure = ("test -f %s/CMakeCache.txt || cmake -S %s -B %s "
    .. "-DCMAKE_BUILD_TYPE=Release >/dev/null"):format(shquote(out_dir),
    shquote(dir), shquote(out_dir))
  local build = ("cmake --build %s -j 2 >/dev/null"):format(shquote(out_dir))
  local cmd = ("mkdir -p %s && { %s && %s; }"):format(shquote(out_dir),
    configure, build)
  if sh("command -v flock >/dev/null") then
    cmd = ("mkdir -p %s && flock %s sh -c %s"):format(shquote(out_dir),
      shquote(out_dir .. "/.lock"), shquote(configure .. " && " .. build))
  end
  if not sh(cmd) then
    error("cannot build bench/ with CMake into " .. out_dir
      .. " (are cmake and a C compiler installed?)")
  end
end

local function module_available(name)
  local ok, m = pcall(require, "ipc." .. name)
  return ok and type(m) == "table" and next(m) ~= nil
end

local function median(t)
  local s = table.move(t, 1, #t, 1, {})
  table.sort(s)
  local n = #s
  if n == 0 then return nil end
  if n % 2 == 1 then return s[(n + 1) // 2] end
  return (s[n // 2] + s[n // 2 + 1]) / 2
end

-- Runs one variant process. Returns a result table { secs, check, extra },
-- or nil, "skip", reason, or nil, "fail", message.
local function run_variant(w, variant, params, scratch)
  local words = {}
  for i, p in ipairs(params) do words[i] = shquote(p) end
  local cmd
  if variant == "c" then
    cmd = shquote(out_dir .. "/" .. w.name)
  else
    cmd = ("%s %s %s %s"):format(shquote(arg[-1] or "lua5.4"),
      shquote(dir .. "/variant.lua"), shquote(w.file or w.name),
      shquote(variant))
    if variant == "original" then
      cmd = "env IPC_BENCH_IMPL=" .. shquote(original) .. " " .. cmd
    end
  end
  local err = scratch .. "/stderr"
  local p = io.popen(("timeout %d %s %s 2>%s"):format(opts.smoke and 60 or 600,
    cmd, table.concat(words, " "), shquote(err)))
  local out = p:read("a")
  local ok, how, code = p:close()
  local reason = out:match("SKIP ([^\n]*)")
  if ok and reason then return nil, "skip", reason end
  local secs, check, hwm, rest = out:match("RESULT (%S+) (%S+) ?(%d*)([^\n]*)")
  if not ok or not secs then
    local msg = readfile(err):gsub("%s+$", "")
    return nil, "fail", ("%s %s %s: %s"):format(variant, how, code,
      msg ~= "" and msg or out)
  end
  local extra = { hwm = tonumber(hwm) }
  for k, v in rest:gmatch("([%w_]+)=(%S+)") do extra[k] = tonumber(v) end
  return { secs = tonumber(secs), check = check, extra = extra }
end

local failures = 0

-- The variants of a workload in running order, each with a label.
local function variants_of(w)
  local list = {}
  for _, v in ipairs(w.variants) do
    list[#list + 1] = v
    if v == (w.main or "luaipc") and w.original and original then
      list[#list + 1] = "original"
    end
  end
  if w.c then list[#list + 1] = "c" end
  return list
end

-- The comparisons of a workload: { a, b, target }.
local function comparisons(w, ran)
  local main, list = w.main or "luaipc", {}
  for _, v in ipairs(ran) do
    if v ~= main then
      local target = w.targets[v]
      if v == "original" then target = 1.0 end
      list[#list + 1] = { main, v, target }
    end
  end
  for _, p in ipairs(w.pairs or {}) do list[#list + 1] = p end
  return list
end

local function report_rows(w, ran, times, skipped)
  local main = w.main or "luaipc"
  if #ran == 1 and not skipped[main] then
    report.row { workload = w.name, a = LABELS[main], a_s = median(times[main]),
                 b = "(measures)" }
  end
  for _, c in ipairs(comparisons(w, ran)) do
    local a, b, target = c[1], c[2], c[3]
    local row = { workload = w.name, a = LABELS[a] or a, b = LABELS[b] or b,
                  a_s = median(times[a] or {}), b_s = median(times[b] or {}),
                  target = target }
    if skipped[a] or skipped[b] then
      row.result = "skipped: " .. (skipped[a] or skipped[b])
    elseif times[a] and times[b] then
      local ratios = {}
      for i, t in ipairs(times[b]) do ratios[i] = times[a][i] / t end
      row.ratio = median(ratios)
      row.lo, row.hi = math.min(table.unpack(ratios)),
        math.max(table.unpack(ratios))
      row.result = target and (row.ratio <= target and "met" or "MISSED") or ""
    end
    report.row(row, opts.smoke)
  end
end

local function report_measures(w, ran, extras, skipped)
  for _, m in ipairs(w.metrics or {}) do
    for _, v in ipairs(ran) do
      local judged = v:match("^luaipc") ~= nil
      if not skipped[v] and (m.all or v == (w.main or "luaipc")) then
        local values = {}
        for _, e in ipairs(extras[v]) do values[#values + 1] = e[m.key] end
        local value = median(values)
        if value then
          value = value * (m.scale or 1)
          local result
          if judged and m.limit then result = value <= m.limit and "met" or "MISSED" end
          if judged and m.min then result = value >= m.min and "met" or "MISSED" end
          report.measure { workload = w.name, variant = LABELS[v] or v,
            what = m.what, value = value, unit = m.unit,
            limit = judged and m.limit or nil, min = judged and m.min or nil,
            result = result }
        end
      end
    end
  end
end

local function bench_workload(w, paths, scratch)
  local missing = {}
  for _, m in ipairs(w.modules) do
    if not module_available(m) then missing[#missing + 1] = "ipc." .. m end
  end
  if #missing > 0 then
    report.note(w.name, ("skipped: module not available (%s)"):format(
      table.concat(missing, ", ")))
    return
  end
  local params = {}
  for i, p in ipairs(opts.smoke and w.smoke or w.params) do
    params[i] = type(p) == "string" and p:match("^@") and paths[p:sub(2)] or p
  end
  local list, skipped = variants_of(w), {}
  local times, extras, checks = {}, {}, {}
  for rep = 1, opts.warmup + opts.reps do
    for _, v in ipairs(list) do
      if not skipped[v] then
        local r, kind, msg = run_variant(w, v, params, scratch)
        if kind == "skip" then
          skipped[v] = msg
        elseif not r then
          failures = failures + 1
          report.note(w.name, "FAILED: " .. msg)
          return
        elseif rep > opts.warmup then
          times[v] = times[v] or {}
          extras[v] = extras[v] or {}
          table.insert(times[v], r.secs)
          table.insert(extras[v], r.extra)
          checks[#checks + 1] = { v, r.check }
        end
      end
    end
  end
  -- Every variant must have done the same work.
  for _, c in ipairs(w.check ~= false and checks or {}) do
    if c[2] ~= checks[1][2] then
      failures = failures + 1
      report.note(w.name, ("FAILED: %s reported %s, %s reported %s"):format(
        checks[1][1], checks[1][2], c[1], c[2]))
      return
    end
  end
  local ran, skips = {}, {}
  for _, v in ipairs(list) do
    if skipped[v] then
      skips[#skips + 1] = ("%s skipped: %s"):format(v, skipped[v])
    else
      ran[#ran + 1] = v
    end
  end
  if opts.smoke then
    report.note(w.name, ("ok (%s)%s"):format(table.concat(ran, ", "),
      #skips > 0 and "; " .. table.concat(skips, "; ") or ""))
    return
  end
  for _, v in ipairs(list) do if skipped[v] then ran[#ran + 1] = v end end
  report_rows(w, ran, times, skipped)
  report_measures(w, ran, extras, skipped)
end

local function main(scratch)
  build_native()
  local selected, need = {}, {}
  for _, w in ipairs(WORKLOADS) do
    if not opts.only or opts.only[w.name] then
      selected[#selected + 1] = w
      for _, p in ipairs(opts.smoke and w.smoke or w.params) do
        if type(p) == "string" and p:match("^@") then need[p:sub(2)] = true end
      end
    end
  end
  local paths = inputs.prepare(need, scratch, opts.smoke)
  report.start(machine.describe(), opts.smoke
    and "luaipc benchmarks: smoke run (tiny sizes, not timed)"
    or ("luaipc benchmarks: median of %d interleaved repetitions after %d "
        .. "warm-up, ratio = variant time / other time (< 1: variant faster)")
       :format(opts.reps, opts.warmup), opts.smoke)
  for _, w in ipairs(selected) do bench_workload(w, paths, scratch) end
  report.finish_measures(opts.smoke)
  if opts.csv then report.write_csv(opts.csv) end
end

-- The scratch folder holds the inputs and is removed however the run ends.
local mktemp = io.popen('mktemp -d "${TMPDIR:-/tmp}/ipcbench.XXXXXX"')
local scratch = mktemp:read("l")
if not mktemp:close() or not scratch then
  io.stderr:write("bench: cannot create a temporary folder\n")
  os.exit(1)
end
local ok, err = xpcall(main, debug.traceback, scratch)
sh("rm -rf " .. shquote(scratch))
if not ok then
  io.stderr:write("bench: ", tostring(err), "\n")
  os.exit(1)
end
os.exit(failures == 0 and 0 or 1)
