-- The differential driver of the memory-file fuzz target.
--
-- Input layout: byte 1 holds flags (bit 0: a writable buffer instead of a
-- read-only strfile; bit 1 with bit 0: write-only, like mmap mode "w",
-- compared with a file opened "w"; bit 2 with bit 0: a shared mapping of a
-- file, guarded against SIGBUS like mmap and shm; bits 3-5: the bytes are
-- repeated 2^k times, so that mappings span several pages), bytes 2-3 the length of the file's bytes (at most
-- 511), then those bytes, then the script: one opcode byte per operation,
-- followed by the argument bytes it consumes. A missing byte reads as 0 and
-- the script ends with the input.
--
-- Every operation runs on the memory file `m` and on a real Lua file `f`
-- (io.tmpfile) with the same bytes; results must agree. The differences
-- that docs/contract.md documents ("The file-like handles (strfile, mmap,
-- shm)") are modelled, not ignored:
--   * a seek past the end fails on `m` and is not done on `f`;
--   * a write past the end writes what fits and returns nil, "not enough
--     space", and `f` is cut back to the same length;
--   * a write to a read-only strfile fails and `f` is left alone;
--   * truncate has no io counterpart: `f` is rebuilt with the kept bytes.
-- A shrink operation cuts the file under a guarded mapping, as another
-- process may. From then on only the memory file runs (no Lua file can
-- model lost pages): every call must still raise a string or return a
-- documented shape, and the position must stay within the size.
-- Anything else that differs raises, and the fuzz target aborts.
local strfile = require "ipc.strfile"
local fuzzbuffer, fuzzmap = _G.fuzzbuffer, _G.fuzzmap -- from the target
local fuzzshrink = _G.fuzzshrink

local ENOSPC, EBADF = 28, 9

local FORMATS = { "n", "l", "L", "a", "*n", "*l", "*L", "*a",
  0, 1, 2, 3, 7, 64, 200, 300 }
local NUMBERS = { 0, -1, 42, 3.5, -0.0, 1e300, 1 / 0, -1 / 0,
  math.maxinteger, math.mininteger, 2 ^ 53, 0.1 }
local SEEK_OFFSETS = { math.maxinteger, math.mininteger, 1 << 40, -(1 << 40) }
local WHENCE = { "set", "cur", "end" }

-- A value printed for a difference report.
local function show(v)
  if type(v) == "string" then return ("%q"):format(v) end
  if math.type(v) == "float" then return ("%a"):format(v) end
  return tostring(v)
end

local function pack(...) return { n = select("#", ...), ... } end

-- Results of one call: {ok, values...} with the handle replaced by "SELF"
-- and error messages reduced to the part after the function name (the two
-- libraries name their functions differently in "bad argument" texts).
local function call(handle, fn, ...)
  local r = pack(pcall(fn, ...))
  for i = 2, r.n do
    if r[i] == handle then r[i] = "SELF" end
  end
  if not r[1] then
    r[2] = tostring(r[2]):gsub("^.-:%d+: ", ""):gsub("to '[^']*'", "to ?")
  end
  return r
end

local function same_value(a, b)
  if a ~= a and b ~= b then return true end -- NaN
  return a == b and math.type(a) == math.type(b)
end

local function check_same(what, rm, rf)
  local ok = rm.n == rf.n
  for i = 1, math.max(rm.n, rf.n) do
    ok = ok and same_value(rm[i], rf[i])
  end
  if ok then return end
  local sm, sf = {}, {}
  for i = 1, rm.n do sm[i] = show(rm[i]) end
  for i = 1, rf.n do sf[i] = show(rf[i]) end
  error(("%s differs:\n  memfile: %s\n  io file: %s"):format(what,
    table.concat(sm, ", "), table.concat(sf, ", ")), 0)
end

local function expect(cond, what)
  if not cond then error(what, 0) end
end

return function(input)
  local pos = 1
  local function byte()
    local b = input:byte(pos) or 0
    pos = pos + 1
    return b
  end
  local flags = byte()
  local writable = flags & 1 == 1
  local readable = not writable or flags & 2 == 0
  local len = byte() | ((byte() & 1) << 8)
  local data = input:sub(pos, pos + len - 1):rep(1 << ((flags >> 3) & 7))
  pos = pos + len
  local size = #data

  local mapped = writable and flags & 4 == 4 and #data > 0
  local m = mapped and fuzzmap(data, readable)
    or writable and fuzzbuffer(data, readable) or strfile.open(data)
  mapped = mapped and m ~= nil
  local path, f -- path: the write-only file's name
  local function fresh(bytes)
    if readable then
      f = io.tmpfile()
    else
      path = path or os.tmpname()
      f = assert(io.open(path, "w"))
    end
    f:write(bytes)
  end
  fresh(data)
  f:seek("set")
  local iters = {} -- kept iterators, called again by later operations

  local function fmt()
    local b = byte()
    if b < 224 then return FORMATS[b % #FORMATS + 1] end
    if b < 240 then return b - 224 + 4 end
    if b < 252 then return byte() * 2 end
    return ({ "x", "*", "", "**l" })[b - 251] -- invalid formats
  end
  local function fmts()
    local t, n = {}, byte() % 4
    for i = 1, n do t[i] = fmt() end
    return t, n
  end

  -- Replaces `f` by a fresh file with the first `n` bytes and position `p`.
  local function cut(n, p)
    local kept
    if readable then
      f:seek("set")
      kept = f:read(n) or ""
      f:close()
    else
      f:close()
      local r = assert(io.open(path, "rb"))
      kept = r:read(n) or ""
      r:close()
    end
    fresh(kept)
    f:seek("set", p)
    iters = {} -- the iterators of the old file are gone
  end

  local ops = {}
  function ops.read()
    local t, n = fmts()
    check_same("read", call(m, m.read, m, table.unpack(t, 1, n)),
      call(f, f.read, f, table.unpack(t, 1, n)))
  end
  function ops.lines()
    local t, n = fmts()
    local rm = call(m, m.lines, m, table.unpack(t, 1, n))
    local rf = call(f, f.lines, f, table.unpack(t, 1, n))
    expect(rm[1] == rf[1], "lines: one side raised")
    if not rm[1] then return end
    iters[#iters + 1] = { rm[2], rf[2] }
    if #iters > 4 then table.remove(iters, 1) end
    for _ = 1, byte() % 5 do
      check_same("lines iterator", call(m, rm[2]), call(f, rf[2]))
    end
  end
  function ops.again() -- an iterator made earlier, after other operations
    local it = iters[byte() % math.max(#iters, 1) + 1]
    if it then check_same("old iterator", call(m, it[1]), call(f, it[2])) end
  end
  function ops.seek()
    local b = byte()
    local whence = WHENCE[b % 3 + 1]
    local off = b & 4 == 0 and byte() - 128
      or SEEK_OFFSETS[byte() % #SEEK_OFFSETS + 1]
    local here = f:seek("cur")
    local base = whence == "set" and 0 or whence == "cur" and here or size
    local beyond = off > 0 and off > size - base
    local before = off < 0 and (off == math.mininteger or -off > base)
    local rm = call(m, m.seek, m, whence, off)
    if beyond then
      -- Documented: a memory file cannot seek past its end.
      expect(rm[1] and rm[2] == nil and type(rm[3]) == "string",
        "seek past the end did not return nil, message")
    elseif before then
      expect(rm[1] and rm[2] == nil and type(rm[3]) == "string",
        "seek before the start did not return nil, message")
      if off > -(1 << 40) then -- the kernel agrees for sane offsets
        check_same("seek before the start", rm, call(f, f.seek, f, whence, off))
      end
    else
      check_same("seek", rm, call(f, f.seek, f, whence, off))
    end
  end
  function ops.write()
    local args, n = {}, byte() % 4
    for i = 1, n do
      local b = byte()
      if b < 128 then
        local k = b % 16
        args[i] = input:sub(pos, pos + k - 1)
        pos = pos + k
      else
        args[i] = NUMBERS[b % #NUMBERS + 1]
      end
    end
    local rm = call(m, m.write, m, table.unpack(args, 1, n))
    if not writable then
      -- Documented: writing to a read-only handle returns nil, msg, code
      -- (even when the strings are empty); no argument at all is no write.
      expect(rm[1] and (n == 0 and rm[2] == "SELF" or rm[2] == nil
        and rm[4] == EBADF), "read-only write")
      return
    end
    local rf = call(f, f.write, f, table.unpack(args, 1, n))
    local after = f:seek("cur") -- also separates writing from reading
    if after > size then
      -- Documented: what fits is written, then nil, "not enough space".
      expect(rm[1] and rm[2] == nil and rm[3] == "not enough space"
        and rm[4] == ENOSPC, "write past the end: wrong result")
      cut(size, size)
    else
      check_same("write", rm, rf)
    end
  end
  function ops.truncate()
    local b = byte()
    local n = b < 250 and b * 2 or ({ -1, size, size + 1, math.maxinteger,
      math.mininteger, 0 })[b - 249]
    local rm = call(m, m.truncate, m, n)
    if n < 0 then
      expect(not rm[1], "negative truncate did not raise")
    elseif n > size then
      -- Documented: truncate cannot grow; nothing changes.
      expect(rm[1] and rm[2] == nil and type(rm[3]) == "string",
        "growing truncate did not fail")
    else
      expect(rm[1] and rm[2] == true, "truncate failed")
      local here = f:seek("cur")
      size = n
      cut(n, math.min(here, n))
    end
  end
  function ops.noargs()
    check_same("read()", call(m, m.read, m), call(f, f.read, f))
  end
  function ops.misc()
    local b = byte() % 3
    if b == 0 then
      check_same("setvbuf", call(m, m.setvbuf, m, "full", 64),
        call(f, f.setvbuf, f, "full", 64))
    elseif b == 1 then
      local rm = call(m, m.flush, m)
      expect(rm[1] and rm[2] == true, "flush")
    else
      expect(m:size() == size, "size() is not the usable length")
    end
  end
  local lost = false
  function ops.shrink()
    local n = byte() * (size // 255 + 1)
    if mapped and n < size then
      fuzzshrink(m, n)
      lost = true
    end
  end
  local order = { ops.read, ops.lines, ops.again, ops.seek, ops.write,
    ops.truncate, ops.noargs, ops.misc, ops.read, ops.seek, ops.shrink }

  -- After a shrink: the memory file alone, any method, checked for shape.
  local function lost_op()
    local b = byte()
    local t, n = fmts()
    local calls = {
      function() return m:read(table.unpack(t, 1, n)) end,
      function() return m:lines(table.unpack(t, 1, n))() end,
      function() return m:seek(WHENCE[b % 3 + 1], byte() - 128) end,
      function() return m:write(("w"):rep(byte())) end,
      function() return m:truncate(byte()) end,
      function() return m:size(), m:flush(), m:read("a") end,
    }
    local r = pack(pcall(calls[b % #calls + 1]))
    if not r[1] then
      expect(type(r[2]) == "string", "a non-string error after a shrink")
    elseif r[2] == nil and r.n >= 3 then
      expect(type(r[3]) == "string", "nil without a message after a shrink")
    end
    local here, sz = m:seek("cur"), m:size()
    expect(here <= sz, "position past the size after a shrink")
  end

  while pos <= #input and not lost do
    order[byte() % #order + 1]()
    -- After every operation both positions agree.
    local pm, pf = m:seek("cur"), f:seek("cur")
    expect(lost or pm == pf, ("positions differ: memfile %s, io file %s")
      :format(show(pm), show(pf)))
  end
  while pos <= #input and lost do lost_op() end
  f:close()
  if path then os.remove(path) end
  m:close()
  for _, it in ipairs(iters) do
    local ok, msg = pcall(it[1])
    expect(not ok and msg:find("file is already closed", 1, true),
      "an iterator of a closed memory file did not raise")
  end
end
