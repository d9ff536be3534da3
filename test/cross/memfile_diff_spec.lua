-- Differential tests: every sequence of reads, seeks and lines runs on a
-- real Lua file and on strfile, mmap and shm handles holding the same
-- bytes, and every result (values, fail, numbers with their subtype, error
-- messages) must be identical.
local strfile = require "ipc.strfile"
local mmap = require "ipc.mmap"
local shm = require "ipc.shm"

-- Pieces the byte strings are made of: line ends of every kind, NULs, and
-- numerals that io.read("n") accepts or rejects.
local numerals = {
  "0", "00", "007", "42", "-17", "+3", "-", "+", ".", ".5", "-.5", "5.",
  "1e10", "1E+5", "1e-3", "1e", "1e+", "2.5e", "0x", "0X", "0x1F", "0xg",
  "0x1p4", "0X1P-2", "0x.8", "0x.8p1", "0x1P", "0xA.Bp+3", "inf", "nan",
  "-inf", "1..2", "1,5", "1.5.5", "9223372036854775807",
  "9223372036854775808", "-9223372036854775808", "0x7fffffffffffffff",
  "0xffffffffffffffff", "0x10000000000000000", "1e400", "--1", "+-1",
  "0e", "0x0p", "12abc", "3.14159", "  \n\t 12", "\v\f 7", "\r\n8",
  string.rep("1", 199), string.rep("2", 200), string.rep("3", 201),
  "0x" .. string.rep("f", 230), "1." .. string.rep("5", 250),
  "-" .. string.rep("9", 198) .. "e1",
}
local words = { "a", "hello", "line", "x y z", "\t", " ", "ä", "\255\0\1" }
local breaks = { "\n", "\r\n", "\r", "\n\n", "\0", " ", "\n\r" }

local function piece()
  local r = math.random()
  if r < 0.35 then return numerals[math.random(#numerals)] end
  if r < 0.65 then return words[math.random(#words)] end
  if r < 0.97 then return breaks[math.random(#breaks)] end
  return string.rep(string.char(math.random(97, 122)), math.random(65537, 70000))
end

local function bytes(i)
  if i == 1 then return "" end
  if i == 2 then return "\n" end
  if i == 3 then return "12" end -- a numeral that ends at the end
  if i == 4 then return string.rep("y", 70000) end -- long, no final newline
  local t = {}
  for k = 1, math.random(1, 60) do t[k] = piece() end
  return table.concat(t)
end

-- Read formats as io accepts them, plus a few it rejects.
local formats = {
  "n", "l", "L", "a", "*n", "*l", "*L", "*a", 0, 0, 1, 2, 3, 7, 100, 4096,
  65536, 100000, 1048576,
}
-- (A negative count makes io allocate until it fails; we raise "invalid
-- count" instead, tested in memfile_misuse_spec.lua.)
local bad_formats = { "x", "", 1.5, {}, true }

local function pick_formats(allow_bad)
  local t = {}
  for k = 1, math.random(1, 4) do
    if allow_bad and math.random() < 0.04 then
      t[k] = bad_formats[math.random(#bad_formats)]
    else
      t[k] = formats[math.random(#formats)]
    end
  end
  return t
end

-- A printable description of results, exact for numbers.
local function describe_value(v)
  local ty = math.type(v)
  if ty == "integer" then return "int:" .. string.format("%d", v) end
  if ty == "float" then return "float:" .. string.format("%a", v) end
  if type(v) == "string" then return ("str:%q"):format(v) end
  return tostring(v)
end

local function pack_results(ok, ...)
  local t = { ok and "ok" or "error" }
  if not ok then
    -- Position prefixes differ between call sites; the message must not.
    t[2] = tostring((...)):gsub("^[^:]*:%d+: ", "")
    return table.concat(t, " ")
  end
  for i = 1, select("#", ...) do t[#t + 1] = describe_value((select(i, ...))) end
  return table.concat(t, " ")
end

-- A random sequence of operations, each a function of a handle that
-- returns a description of its results. Seeks are kept in range.
local function make_sequence(size)
  local ops = {}
  for k = 1, math.random(5, 25) do
    local r = math.random()
    if r < 0.55 then
      local fmts = pick_formats(true)
      local label = "read"
      ops[k] = { label, function(h)
        return pack_results(pcall(h.read, h, table.unpack(fmts)))
      end, fmts }
    elseif r < 0.62 then
      ops[k] = { "read()", function(h) return pack_results(pcall(h.read, h)) end }
    elseif r < 0.82 then
      local whence = ({ "set", "cur", "end" })[math.random(3)]
      local target = math.random(0, size)
      ops[k] = { "seek", function(h)
        local cur = h:seek()
        local base = whence == "set" and 0 or whence == "cur" and cur or size
        return pack_results(pcall(h.seek, h, whence, target - base))
      end, { whence, target } }
    elseif r < 0.86 then
      ops[k] = { "seek()", function(h) return pack_results(pcall(h.seek, h)) end }
    else
      local fmts = math.random() < 0.3 and {} or pick_formats(false)
      local steps = math.random(1, 4)
      ops[k] = { "lines", function(h)
        local it = h:lines(table.unpack(fmts))
        local out = {}
        for s = 1, steps do out[s] = pack_results(pcall(it)) end
        return table.concat(out, " | ")
      end, fmts }
    end
  end
  return ops
end

local function op_text(op)
  local args = {}
  for i, v in ipairs(op[3] or {}) do args[i] = describe_value(v) end
  return op[1] .. "(" .. table.concat(args, ", ") .. ")"
end

describe("memfile handles read like a Lua file", function()
  math.randomseed(12345)
  local path = H.tmpname()
  finally = finally -- silence linters that do not know busted
  teardown(function() os.remove(path) end)

  it("for hundreds of random sequences over generated bytes", function()
    local sequences = 0
    for case = 1, 60 do
      local s = bytes(case)
      H.writefile(path, s)
      local handles = { strfile = assert(strfile.open(s)) }
      if #s > 0 then
        handles.mmap = assert(mmap.open(path, case % 2 == 0 and "rw" or "r"))
        local name = H.uniq("ipcdiff")
        local sh = assert(shm.create(name, #s))
        assert(sh:write(s))
        assert.equal(0, sh:seek("set", 0))
        handles.shm = sh
      end
      local real = assert(io.open(path, "rb"))
      for seq = 1, 8 do
        sequences = sequences + 1
        local ops = make_sequence(#s)
        real:seek("set", 0)
        for _, h in pairs(handles) do h:seek("set", 0) end
        for i, op in ipairs(ops) do
          local want = op[2](real)
          for kind, h in pairs(handles) do
            local got = op[2](h)
            if got ~= want then
              local trail = {}
              for j = 1, i do trail[j] = op_text(ops[j]) end
              error(("%s differs from io on case %d (%d bytes), sequence %d:\n"
                .. "  ops: %s\n  io:  %s\n  got: %s"):format(kind, case, #s,
                seq, table.concat(trail, "; "), want:sub(1, 300),
                got:sub(1, 300)))
            end
          end
        end
      end
      real:close()
      for _, h in pairs(handles) do assert.is_true(h:close()) end
    end
    assert.is_true(sequences >= 400)
  end)

  it("reads every numeral form like io.read('n')", function()
    for _, num in ipairs(numerals) do
      for _, tail in ipairs { "", "\n", " x", "5" } do
        local s = num .. tail
        H.writefile(path, s)
        local real = assert(io.open(path, "rb"))
        local want = pack_results(pcall(real.read, real, "n", 1, "a"))
        real:close()
        local h = strfile.open(s)
        assert.equal(want, pack_results(pcall(h.read, h, "n", 1, "a")), ("%q"):format(s))
        local m = assert(mmap.open(path))
        assert.equal(want, pack_results(pcall(m.read, m, "n", 1, "a")), ("%q"):format(s))
        m:close()
      end
    end
  end)

  it("rejects out-of-range seeks with nil, message, errno", function()
    local h = strfile.open("hello")
    assert.same({ nil, "Invalid argument", 22 }, { h:seek("set", -1) })
    assert.same({ nil, "Invalid argument", 22 }, { h:seek("set", 6) })
    assert.same({ nil, "Invalid argument", 22 }, { h:seek("end", 1) })
    assert.same({ nil, "Invalid argument", 22 }, { h:seek("cur", math.maxinteger) })
    assert.same({ nil, "Invalid argument", 22 }, { h:seek("end", math.mininteger) })
    assert.equal(0, h:seek()) -- a failed seek does not move
    assert.equal(5, h:seek("end"))
    assert.equal(0, h:seek("end", -5))
    assert.equal(5, h:seek("set", 5))
    assert.is_nil(h:read(0))
    assert.has_error(function() h:seek("middle") end,
      "bad argument #1 to 'seek' (invalid option 'middle')")
    assert.has_error(function() h:seek("set", 1.5) end)
  end)
end)
