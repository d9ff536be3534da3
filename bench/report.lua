-- How the runner shows results: the comparison table, the reported
-- measures (memory, CPU, latency, tick rates) and the CSV file. Every table
-- starts with the machine line, and every CSV row carries the machine.
local machine = require "machine"

local R = { rows = {}, measures = {} }

local function fmt_time(s)
  if not s then return "-" end
  if s >= 1 then return ("%.3f s"):format(s) end
  return ("%.1f ms"):format(s * 1000)
end

function R.start(info, title, smoke)
  R.info = info
  io.write(title, "\n")
  if smoke then return end
  io.write(machine.line(info), "\n\n")
  io.write(("%-18s %-14s %9s  %-14s %9s  %6s  %-11s  %7s  %s\n"):format(
    "workload", "variant", "time", "compared with", "time", "ratio",
    "min-max", "target", "result"))
end

-- t: workload, a, a_s, b, b_s, ratio, lo, hi (the lowest and highest ratio
-- of one repetition), target, result (labels already).
function R.row(t, smoke)
  R.rows[#R.rows + 1] = t
  if smoke then return end
  io.write(("%-18s %-14s %9s  %-14s %9s  %6s  %-11s  %7s  %s\n"):format(
    t.workload, t.a or "-", fmt_time(t.a_s), t.b or "-", fmt_time(t.b_s),
    t.ratio and ("%.2f"):format(t.ratio) or "-",
    t.lo and ("%.2f-%.2f"):format(t.lo, t.hi) or "-",
    t.target and ("<=%.2f"):format(t.target) or "-", t.result or ""))
  io.stdout:flush()
end

function R.note(workload, text)
  io.write(("%-18s %s\n"):format(workload, text))
  io.stdout:flush()
end

-- m: workload, variant (label), what, value, unit, limit, min, result.
function R.measure(m)
  R.measures[#R.measures + 1] = m
end

function R.finish_measures(smoke)
  if smoke or #R.measures == 0 then return end
  io.write("\nmeasures (reported, not asserted)\n", machine.line(R.info), "\n")
  for _, m in ipairs(R.measures) do
    local bound = m.limit and ("limit %g %s"):format(m.limit, m.unit)
      or m.min and ("at least %g %s"):format(m.min, m.unit) or ""
    io.write(("%-18s %-14s %-40s %10.2f %-3s  %-18s %s\n"):format(m.workload,
      m.variant, m.what, m.value, m.unit, bound, m.result or ""))
  end
end

-- A CSV field, quoted when it holds a comma, a quote or a newline.
local function field(s)
  s = tostring(s or "")
  if s:find('[,"\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

function R.write_csv(path)
  local f = assert(io.open(path, "w"))
  local m = machine.csv(R.info)
  f:write("workload,variant,compared_with,variant_s,other_s,ratio,ratio_min,"
    .. "ratio_max,target,result,", machine.csv_header, "\n")
  local function num(x) return x and ("%.6f"):format(x) or "" end
  for _, r in ipairs(R.rows) do
    f:write(("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n"):format(r.workload,
      field(r.a), field(r.b), num(r.a_s), num(r.b_s), num(r.ratio),
      num(r.lo), num(r.hi), r.target or "",
      field(r.result), m))
  end
  for _, x in ipairs(R.measures) do
    f:write(("%s,%s,%s,%s,,,,,%s,%s,%s\n"):format(x.workload, field(x.variant),
      field(x.what .. " (" .. x.unit .. ")"), num(x.value),
      x.limit or x.min or "", field(x.result), m))
  end
  f:close()
end

return R
