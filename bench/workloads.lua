-- The workloads of the benchmark runner: sizes (full run and --smoke), the
-- variants run for each (in this order, interleaved), and the targets.
--   main      the variant the ratios are about (default "luaipc")
--   targets   variant -> highest acceptable median ratio main / variant
--             (below 1: main is faster); a variant without one is shown
--   pairs     further comparisons { a, b, target } between other variants
--   original  the original C library can run the main variant's code: with
--             BENCH_ORIGINAL set it runs as variant "original", target 1.0
--   file      the workload file under bench/workloads/ (default: name)
--   c         a C baseline build-bench/<name> exists
--   check     false: the variants' check values need not agree
--   metrics   numbers a variant reports beside its time (see report.lua)
-- Parameters starting with "@" stand for input files (see inputs.lua).
local MiB = 1048576

local W = {
  { name = "pipe_out", modules = { "proc" }, original = true, c = true,
    params = { 256 * MiB }, smoke = { MiB },
    variants = { "luaipc", "popen", "luv" },
    targets = { c = 1.1, popen = 1.0, luv = 0.8 },
    metrics = { { key = "hwm", what = "peak RSS receiving through the callback",
                  unit = "MiB", scale = 1 / 1024, limit = 64, all = true },
                { key = "children", what = "the writer's CPU time / wall time",
                  unit = "%", scale = 100, all = true } } },
  { name = "pipe_roundtrip", modules = { "proc" }, original = true, c = true,
    params = { 4096 }, smoke = { 16 },
    variants = { "luaipc", "luv" },
    targets = { c = 1.2, luv = 0.9 } },
  { name = "pipe_window", modules = { "proc" }, original = true, c = true,
    params = { 128 * MiB }, smoke = { MiB },
    variants = { "luaipc", "luv" },
    targets = { c = 1.2, luv = 0.9 } },
  { name = "spawn_rate", modules = { "proc" }, original = true, c = true,
    params = { 500 }, smoke = { 5 },
    variants = { "luaipc", "os_execute", "luv" },
    targets = { c = 1.1, os_execute = 1.0 } },
  { name = "lines_mmap", modules = { "mmap" }, original = true, c = true,
    params = { "@lines" }, smoke = { "@lines" },
    variants = { "luaipc", "io_lines", "cmod" },
    targets = { io_lines = 0.5, cmod = 1.05 } },
  { name = "mmap_read_a", modules = { "mmap" }, original = true, c = true,
    params = { "@lines" }, smoke = { "@lines" },
    variants = { "luaipc", "io_read" },
    targets = { c = 1.0, io_read = 0.5 } },
  { name = "strfile_lines", modules = { "strfile" }, original = true, c = true,
    params = { "@text" }, smoke = { "@text" },
    variants = { "luaipc", "find", "gmatch", "cmod" },
    targets = { find = 0.7, cmod = 1.05 } },
  { name = "sem_pingpong", modules = { "sem" }, original = true, c = true,
    params = { 60000 }, smoke = { 100 },
    variants = { "luaipc" },
    targets = { c = 1.1 } },
  { name = "filelock_cycles", modules = { "filelock" }, original = true,
    c = true, params = { 200000, "@lockfile" }, smoke = { 1000, "@lockfile" },
    variants = { "luaipc" },
    targets = { c = 1.2 } },
  { name = "shm_rw", modules = { "shm" }, original = true, c = true,
    params = { 256 * MiB, 16 * MiB }, smoke = { 4 * MiB, 2 * MiB },
    variants = { "luaipc", "cmod" },
    targets = { c = 1.0, cmod = 1.05 } },
  -- The growth of the resident set per queued write may cost the string's
  -- bytes plus a small constant.
  { name = "mem_queue", modules = { "proc" }, original = true,
    params = { 10000, 65536 }, smoke = { 100, 65536 },
    variants = { "luaipc" }, targets = {},
    metrics = { { key = "per_write", unit = "B", limit = 65536 + 1024,
                  what = "bytes per queued 64 KiB write (10,000 queued)" } } },

  -- Second wave: pulled streams, several children, hand-off, other loops.
  { name = "lines_pull", modules = { "proc" },
    params = { "@lines" }, smoke = { "@lines" },
    variants = { "luaipc", "popen", "luv" },
    targets = { popen = 0.8, luv = 0.8 } },
  { name = "pipe_handoff", modules = { "proc" },
    params = { 256 * MiB }, smoke = { MiB },
    variants = { "luaipc", "relay", "luv", "shell" }, targets = {},
    metrics = { { key = "cpu", what = "parent CPU seconds", unit = "s",
                  limit = 0.05, all = true } } },
  { name = "wait_any_fan", file = "fan_in", modules = { "proc" },
    params = { 200, MiB }, smoke = { 5, 65536 },
    variants = { "luaipc", "wait_each", "luv" },
    targets = { luv = 1.0 } },
  { name = "fan_in", modules = { "proc" },
    params = { 64, 4 * MiB }, smoke = { 4, 65536 },
    variants = { "luaipc", "luaipc_luv", "luv" }, targets = { luv = 1.0 },
    pairs = { { "luaipc_luv", "luv", 1.0 } } },
  { name = "children_rss", modules = { "proc" }, original = true,
    params = { "10,100,1000" }, smoke = { "2,5" },
    variants = { "luaipc", "luv" }, targets = {},
    metrics = {
      { key = "rss10", what = "RSS per idle child, 10 children", unit = "KiB",
        scale = 1 / 1024, limit = 8, all = true },
      { key = "rss100", what = "RSS per idle child, 100 children", unit = "KiB",
        scale = 1 / 1024, limit = 8, all = true },
      { key = "rss1000", what = "RSS per idle child, 1000 children",
        unit = "KiB", scale = 1 / 1024, limit = 8, all = true },
      { key = "slope", what = "RSS per idle child, 100 -> 1000", unit = "KiB",
        scale = 1 / 1024, limit = 8, all = true } } },
  { name = "spawn_luv", modules = { "proc" }, main = "luaipc_luv",
    params = { 500 }, smoke = { 5 },
    variants = { "luaipc_luv", "luv" }, targets = { luv = 1.0 } },
  { name = "waits_luv", modules = { "sem" }, main = "luaipc_luv",
    params = { 1000 }, smoke = { 10 },
    variants = { "luaipc_luv", "luv" }, targets = {},
    metrics = {
      { key = "per_wait", what = "bytes per suspended wait", unit = "B",
        all = true },
      { key = "latency", what = "median wake-up latency", unit = "us",
        scale = 1e6, all = true } } },
  { name = "sched_fan", modules = { "proc" }, main = "luaipc_cq",
    params = { 100 }, smoke = { 4 },
    variants = { "luaipc_cq", "luaipc_luv", "luv" }, targets = {},
    pairs = { { "luaipc_luv", "luv" } },
    metrics = { { key = "ticks", what = "ticker's ticks kept", unit = "%",
                  scale = 100, min = 90, all = true } } },
  { name = "pipe_out_luv", file = "pipe_out", modules = { "proc" },
    main = "luaipc_luv", params = { 256 * MiB }, smoke = { MiB },
    variants = { "luaipc_luv", "luaipc", "luv" },
    targets = { luaipc = 1.1, luv = 0.8 } },
  { name = "pipe_roundtrip_luv", file = "pipe_roundtrip", modules = { "proc" },
    main = "luaipc_luv", params = { 4096 }, smoke = { 16 },
    variants = { "luaipc_luv", "luaipc", "luv" },
    targets = { luaipc = 1.1, luv = 0.9 } },
}

W.labels = {
  luaipc = "luaipc", luaipc_luv = "luaipc luv", luaipc_cq = "luaipc cqueues",
  original = "original", c = "C", cmod = "C module", popen = "io.popen",
  luv = "luv", os_execute = "os.execute", io_lines = "io.lines",
  io_read = "io read(\"a\")", find = "string.find", gmatch = "gmatch",
  relay = "relay callback", shell = "sh pipeline", wait_each = "wait each",
}

return W
