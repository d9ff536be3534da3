-- The benchmark runner of luaipc: `make bench`, or from the repository root
--   lua5.4 bench/run.lua [--reps N] [--warmup N] [--only a,b] [--csv FILE]
--                        [--smoke]
-- Each workload has a luaipc variant, peer variants doing the same work with
-- what Lua programs use today (io.popen, luv, io.lines, ...) and a C program
-- doing it the cheapest way. Every variant runs in its own process and times
-- its own work with the monotonic clock (see bench/variant.lua). Variants run
-- interleaved (A B C A B C ...) and each comparison is the median of the
-- per-repetition ratios luaipc time / other time, so that slow phases of a
-- busy machine hit both sides of a ratio alike.
local dir = arg[0]:match("^(.*)/[^/]*$") or "."
local root = dir .. "/.."
local out_dir = root .. "/build-bench"
if not os.getenv("LUA_CPATH") then
  package.cpath = root .. "/build/?.so;" .. package.cpath
end

local MiB = 1048576

-- The workloads, their sizes (full run and --smoke), their peers, and the
-- targets: the highest acceptable median ratio luaipc / other (below 1 means
-- luaipc is faster). Names in `params` starting with "@" stand for files the
-- runner prepares (see INPUTS).
local WORKLOADS = {
  { name = "pipe_out", modules = { "proc" },
    params = { 256 * MiB }, smoke = { MiB },
    peers = { "popen", "luv" }, c = true,
    targets = { c = 1.3, popen = 1.0, luv = 1.0 },
    peak_rss = { limit_kib = 64 * 1024,
                 what = "peak RSS receiving through the callback" } },
  { name = "pipe_roundtrip", modules = { "proc" },
    params = { 4096 }, smoke = { 16 },
    peers = { "luv" }, c = true,
    targets = { c = 1.5, luv = 1.0 } },
  { name = "pipe_window", modules = { "proc" },
    params = { 128 * MiB }, smoke = { MiB },
    peers = { "luv" }, c = true,
    targets = { c = 1.5, luv = 1.0 } },
  { name = "spawn_rate", modules = { "proc" },
    params = { 500 }, smoke = { 5 },
    peers = { "os_execute", "luv" }, c = true,
    targets = { c = 1.2, os_execute = 1.2 } },
  { name = "lines_mmap", modules = { "mmap" },
    params = { "@lines" }, smoke = { "@lines" },
    peers = { "io_lines" }, c = true,
    targets = { c = 2.0, io_lines = 0.6 } },
  { name = "mmap_read_a", modules = { "mmap" },
    params = { "@lines" }, smoke = { "@lines" },
    peers = { "io_read" }, c = true,
    targets = { c = 1.1, io_read = 0.5 } },
  { name = "strfile_lines", modules = { "strfile" },
    params = { "@text" }, smoke = { "@text" },
    peers = { "find", "gmatch" }, c = true,
    targets = { c = 2.5, find = 0.5 } },
  { name = "sem_pingpong", modules = { "sem" },
    params = { 60000 }, smoke = { 100 },
    peers = {}, c = true,
    targets = { c = 1.1 } },
  { name = "filelock_cycles", modules = { "filelock" },
    params = { 200000, "@lockfile" }, smoke = { 1000, "@lockfile" },
    peers = {}, c = true,
    targets = { c = 1.3 } },
  { name = "shm_rw", modules = { "shm" },
    params = { 256 * MiB, 16 * MiB }, smoke = { 4 * MiB, 2 * MiB },
    peers = {}, c = true,
    targets = { c = 1.1 } },
  -- Memory only: the check value is the growth of the resident set per
  -- queued write, which may cost the string's bytes plus a small constant.
  { name = "mem_queue", modules = { "proc" },
    params = { 10000, 65536 }, smoke = { 100, 65536 },
    peers = {}, c = false,
    per_write = { limit = 65536 + 1024,
                  what = "bytes per queued 64 KiB write (10,000 queued)" } },
}

local LABELS = {
  c = "C", popen = "io.popen", luv = "luv", os_execute = "os.execute",
  io_lines = "io.lines", io_read = "io read(\"a\")", find = "string.find",
  gmatch = "gmatch",
}

-- Input files, made once per run under $TMPDIR: name -> bytes (full, smoke).
-- A size of false means an empty path the variant creates itself.
local INPUTS = {
  lines = { 200 * MiB, MiB },
  text = { 50 * MiB, 256 * 1024 },
  lockfile = { false, false },
}

local function usage(msg)
  if msg then io.stderr:write("bench: ", msg, "\n") end
  io.stderr:write([[
usage: lua5.4 bench/run.lua [options]
  --reps N      repetitions per variant (default 5)
  --warmup N    untimed rounds before them (default 1)
  --only a,b    run only these workloads
  --csv FILE    also write the results as CSV
  --smoke       every workload once at tiny sizes, nothing judged
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

local function shquote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function sh(cmd)
  local ok = os.execute(cmd)
  return ok == true
end

local function readfile(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local s = f:read("a")
  f:close()
  return s
end

-- Builds the C programs and the clock module into build-bench/ unless they
-- are newer than every source in bench/c/. Each is built under a temporary
-- name and renamed, so that two runs at once never see half a file.
local function build(target, flags, source)
  local out = out_dir .. "/" .. target
  local fresh = ("test -x %s && "
    .. "test -z \"$(find %s -newer %s -name '*.[ch]')\""):format(
      shquote(out), shquote(dir .. "/c"), shquote(out))
  if sh(fresh) then return true end
  local tmp = ("%s.tmp%d"):format(out, math.random(1, 1e9))
  local cc = os.getenv("CC") or "cc"
  return sh(("%s -O2 %s -o %s %s && mv -f %s %s"):format(cc, flags,
    shquote(tmp), shquote(dir .. "/c/" .. source), shquote(tmp), shquote(out)))
end

local function module_available(name)
  local ok, m = pcall(require, "ipc." .. name)
  return ok and type(m) == "table" and next(m) ~= nil
end

local have_luv = pcall(require, "luv")

-- Writes `size` bytes (rounded up to whole lines) of text with mixed line
-- lengths: empty lines, short ones, medium ones and a few long ones, the
-- same every run. A block of them is written again and again.
local function make_text(path, size)
  math.randomseed(20240611)
  local alphabet = {}
  for i = 1, 20000 do alphabet[i] = string.char(math.random(32, 126)) end
  alphabet = table.concat(alphabet)
  local lines, block_size = {}, 0
  local block_limit = math.min(size, 4 * MiB)
  while block_size < block_limit do
    local r, len = math.random(), 0
    if r < 0.05 then
      len = 0
    elseif r < 0.85 then
      len = math.random(1, 100)
    elseif r < 0.99 then
      len = math.random(101, 400)
    else
      len = math.random(401, 8000)
    end
    local from = math.random(1, #alphabet - len)
    lines[#lines + 1] = alphabet:sub(from, from + len - 1)
    block_size = block_size + len + 1
  end
  local block = table.concat(lines, "\n") .. "\n"
  local f = assert(io.open(path, "wb"))
  local written = 0
  while written < size do
    assert(f:write(block))
    written = written + #block
  end
  assert(f:close())
end

local function median(t)
  local s = table.move(t, 1, #t, 1, {})
  table.sort(s)
  local n = #s
  if n % 2 == 1 then return s[(n + 1) // 2] end
  return (s[n // 2] + s[n // 2 + 1]) / 2
end

-- Runs one variant process; returns seconds, check, peak RSS in KiB, or nil
-- and an error text.
local function run_variant(w, variant, params, scratch)
  local words = {}
  for i, p in ipairs(params) do words[i] = shquote(p) end
  local cmd
  if variant == "c" then
    cmd = shquote(out_dir .. "/" .. w.name)
  else
    cmd = ("%s %s %s %s"):format(shquote(arg[-1] or "lua5.4"),
      shquote(dir .. "/variant.lua"), shquote(w.name), shquote(variant))
  end
  local err = scratch .. "/stderr"
  local p = io.popen(("timeout %d %s %s 2>%s"):format(opts.smoke and 60 or 600,
    cmd, table.concat(words, " "), shquote(err)))
  local out = p:read("a")
  local ok, how, code = p:close()
  local secs, check, hwm = out:match("RESULT (%S+) (%S+) ?(%d*)")
  if not ok or not secs then
    local msg = readfile(err):gsub("%s+$", "")
    return nil, ("%s %s %s: %s"):format(variant, how, code,
      msg ~= "" and msg or out)
  end
  return tonumber(secs), check, tonumber(hwm)
end

local function fmt_time(s)
  if s >= 1 then return ("%.3f s"):format(s) end
  return ("%.1f ms"):format(s * 1000)
end

local results = {}     -- rows for the table and the CSV
local failures = 0

local function row(t)
  results[#results + 1] = t
  if opts.smoke then return end
  local ratio = t.ratio and ("%.2f"):format(t.ratio) or "-"
  local target = t.target and ("<=%.2f"):format(t.target) or "-"
  io.write(("%-16s %10s  %-13s %10s  %6s  %7s  %s\n"):format(t.workload,
    t.luaipc and fmt_time(t.luaipc) or "-", t.vs or "-",
    t.other and fmt_time(t.other) or "-", ratio, target, t.result or ""))
  io.stdout:flush()
end

local memory_rows = {}

local function bench_workload(w, inputs, scratch)
  local missing = {}
  for _, m in ipairs(w.modules) do
    if not module_available(m) then missing[#missing + 1] = "ipc." .. m end
  end
  if #missing > 0 then
    io.write(("%-16s skipped: module not available (%s)\n"):format(w.name,
      table.concat(missing, ", ")))
    results[#results + 1] = { workload = w.name, result = "skipped" }
    return
  end
  local variants, notes = { "luaipc" }, {}
  for _, p in ipairs(w.peers) do
    if p == "luv" and not have_luv then
      notes[#notes + 1] = "luv peer skipped: luv not installed"
    else
      variants[#variants + 1] = p
    end
  end
  if w.c then variants[#variants + 1] = "c" end
  local params = {}
  for i, p in ipairs(opts.smoke and w.smoke or w.params) do
    params[i] = type(p) == "string" and p:match("^@") and inputs[p:sub(2)] or p
  end
  local times, hwm, checks = {}, {}, {}
  for _, v in ipairs(variants) do times[v], hwm[v] = {}, {} end
  for rep = 1, opts.warmup + opts.reps do
    for _, v in ipairs(variants) do
      local secs, check, peak = run_variant(w, v, params, scratch)
      if not secs then
        failures = failures + 1
        io.write(("%-16s FAILED: %s\n"):format(w.name, check))
        results[#results + 1] = { workload = w.name, vs = LABELS[v] or v,
                                  result = "failed" }
        return
      end
      if rep > opts.warmup then
        table.insert(times[v], secs)
        table.insert(hwm[v], peak or 0)
        table.insert(checks, { v, check })
      end
    end
  end
  -- Every variant must have done the same work.
  if not w.per_write then
    for _, c in ipairs(checks) do
      if c[2] ~= checks[1][2] then
        failures = failures + 1
        io.write(("%-16s FAILED: %s reported %s, %s reported %s\n"):format(
          w.name, checks[1][1], checks[1][2], c[1], c[2]))
        results[#results + 1] = { workload = w.name, result = "failed" }
        return
      end
    end
  end
  if opts.smoke then
    io.write(("%-16s ok (%s)\n"):format(w.name, table.concat(variants, ", ")))
    results[#results + 1] = { workload = w.name, result = "ok" }
    return
  end
  local mine = median(times.luaipc)
  if #variants == 1 then
    row { workload = w.name, luaipc = mine, vs = "(memory check)" }
  end
  for _, v in ipairs(variants) do
    if v ~= "luaipc" then
      local ratios = {}
      for i, t in ipairs(times[v]) do ratios[i] = times.luaipc[i] / t end
      local ratio, target = median(ratios), w.targets[v]
      local result = target and (ratio <= target and "met" or "MISSED") or ""
      row { workload = w.name, luaipc = mine, vs = LABELS[v] or v,
            other = median(times[v]), ratio = ratio, target = target,
            result = result }
    end
  end
  for _, n in ipairs(notes) do io.write(("%-16s (%s)\n"):format(w.name, n)) end
  if w.peak_rss then
    local peak = median(hwm.luaipc)
    memory_rows[#memory_rows + 1] = {
      workload = w.name, what = w.peak_rss.what, value = peak / 1024,
      unit = "MiB", limit = w.peak_rss.limit_kib / 1024,
      result = peak < w.peak_rss.limit_kib and "met" or "MISSED",
      others = (function()
        local t = {}
        for _, v in ipairs(variants) do
          if v ~= "luaipc" then
            t[#t + 1] = ("%s %.1f MiB"):format(LABELS[v] or v,
              median(hwm[v]) / 1024)
          end
        end
        return table.concat(t, ", ")
      end)() }
  end
  if w.per_write then
    local values = {}
    for _, c in ipairs(checks) do values[#values + 1] = tonumber(c[2]) end
    local per = median(values)
    memory_rows[#memory_rows + 1] = {
      workload = w.name, what = w.per_write.what, value = per, unit = "B",
      limit = w.per_write.limit,
      result = per <= w.per_write.limit and "met" or "MISSED" }
  end
end

local function write_csv(path)
  local f = assert(io.open(path, "w"))
  f:write("workload,compared_with,luaipc_s,other_s,ratio,target,result\n")
  local function num(x) return x and ("%.6f"):format(x) or "" end
  for _, r in ipairs(results) do
    f:write(("%s,%s,%s,%s,%s,%s,%s\n"):format(r.workload, r.vs or "",
      num(r.luaipc), num(r.other), num(r.ratio), r.target or "",
      r.result or ""))
  end
  for _, m in ipairs(memory_rows) do
    f:write(("%s,%s (%s),%s,,,%s,%s\n"):format(m.workload, m.what, m.unit,
      num(m.value), m.limit, m.result))
  end
  f:close()
end

local function main(scratch)
  if not sh("mkdir -p " .. shquote(out_dir)) then
    error("cannot create " .. out_dir)
  end
  if not build("benchclock.so", "-shared -fPIC -I/usr/include/lua5.4",
      "benchclock.c") then
    error("cannot build the clock module (is a C compiler installed?)")
  end
  local selected, need = {}, {}
  for _, w in ipairs(WORKLOADS) do
    if not opts.only or opts.only[w.name] then
      selected[#selected + 1] = w
      if w.c and not build(w.name, "-Wall", w.name .. ".c") then
        error("cannot build bench/c/" .. w.name .. ".c")
      end
      for _, p in ipairs(opts.smoke and w.smoke or w.params) do
        if type(p) == "string" and p:match("^@") then need[p:sub(2)] = true end
      end
    end
  end
  local inputs = {}
  for name in pairs(need) do
    local path = scratch .. "/" .. name
    local size = INPUTS[name][opts.smoke and 2 or 1]
    if size then make_text(path, size) end
    inputs[name] = path
  end
  io.write(opts.smoke
    and "luaipc benchmarks: smoke run (tiny sizes, not timed)\n"
    or ("luaipc benchmarks: median of %d repetitions after %d warm-up, "
        .. "ratio = luaipc time / other time (< 1: luaipc faster)\n")
       :format(opts.reps, opts.warmup))
  if not opts.smoke then
    -- The load of the machine says how much to trust the run.
    local load = readfile("/proc/loadavg"):match("^(%S+ %S+ %S+)")
    local cores = 0
    for _ in readfile("/proc/cpuinfo"):gmatch("processor%s*:") do
      cores = cores + 1
    end
    io.write(("machine: %d cores, load average %s\n\n"):format(cores,
      load or "unknown"))
    io.write(("%-16s %10s  %-13s %10s  %6s  %7s  %s\n"):format("workload",
      "luaipc", "compared with", "other", "ratio", "target", "result"))
  end
  for _, w in ipairs(selected) do bench_workload(w, inputs, scratch) end
  if #memory_rows > 0 and not opts.smoke then
    io.write("\nmemory (reported, not asserted)\n")
    for _, m in ipairs(memory_rows) do
      io.write(("%-16s %-48s %10.1f %s  limit %g %s  %s%s\n"):format(m.workload,
        m.what, m.value, m.unit, m.limit, m.unit, m.result,
        m.others and m.others ~= "" and "  (" .. m.others .. ")" or ""))
    end
  end
  if opts.csv then write_csv(opts.csv) end
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
