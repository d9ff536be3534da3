-- Writes the seed corpus of the memory-file fuzz target into fuzz/corpus/.
-- Usage: lua5.4 fuzz/make_corpus.lua. Each seed pairs file contents that
-- stress one part of liolib's behaviour (numerals, CRLF, NUL bytes, missing
-- final newline, the 200-character numeral limit) with a short script that
-- reaches every operation of memfile_driver.lua.
local DATA = {
  "",
  "\n",
  "a\nb\r\n\nlast",
  "one\ntwo\nthree\n",
  "12 -3.5e2 0x1p4 0x 1e 1e+ .5 5. nan inf -0\n",
  "  0x10  0XaBc.8p-1  +7  --3 0.0e0",
  "x\0y\0\nz\0",
  "1234567890" .. ("9"):rep(210) .. " 1",
  "0x" .. ("f"):rep(198) .. "\n42",
  ("line\r\n"):rep(20),
  "\t\v\f 12\r\n",
  "3.14159265358979\n2.5e-3\nabc 7",
}

-- Opcodes of memfile_driver.lua (opcode byte % 11).
local READ, LINES, AGAIN, SEEK, WRITE, TRUNC, NOARGS, MISC = 0, 1, 2, 3, 4, 5,
  6, 7
local SHRINK = 10
-- Format bytes (index into FORMATS minus one): n l L a *n *l *L *a 0 1 2 3 7
-- 64 200 300, then 224+k for a count of k-4, 252.. invalid formats.
local N, L_, BIGL, A, SN, SL, SBIGL, SA, Z, ONE, TWO = 0, 1, 2, 3, 4, 5, 6, 7,
  8, 9, 10

local SCRIPTS = {
  { READ, 3, N, N, N, READ, 2, L_, A },
  { LINES, 0, 4, AGAIN, 0, READ, 1, Z },
  { LINES, 2, N, SL, 3, SEEK, 0, 128, AGAIN, 0 },
  { READ, 3, BIGL, SBIGL, Z, READ, 1, TWO, NOARGS, NOARGS, NOARGS },
  { SEEK, 2, 125, READ, 1, SA, SEEK, 0, 130, READ, 1, SN },
  { SEEK, 5, 0, SEEK, 6, 1, SEEK, 7, 3, READ, 1, A },
  { WRITE, 2, 3, 65, 66, 67, 200, READ, 1, L_ },
  { WRITE, 3, 131, 132, 139, SEEK, 0, 128, READ, 3, N, N, N },
  { WRITE, 1, 15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    WRITE, 1, 15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
  { TRUNC, 3, READ, 1, A, TRUNC, 252, SEEK, 2, 128, TRUNC, 250 },
  { TRUNC, 251, TRUNC, 253, TRUNC, 254, MISC, 2, MISC, 1, MISC, 0 },
  { READ, 1, 252, READ, 1, 255, LINES, 1, 253, 2 },
  { READ, 2, 240, 100, 230, READ, 1, 229, NOARGS },
  { LINES, 3, L_, N, SA, 4, WRITE, 1, 2, 10, 10, AGAIN, 0 },
  { READ, 1, L_, SHRINK, 0, READ, 1, A, 0, 1, A, 5, 9, 1, 2, 3, 4, 5 },
  { SEEK, 2, 128, SHRINK, 1, 3, 0, 1, 4, 4, 200, 5, 1, 2, 0, 0 },
}

local dir = arg[1] or "fuzz/corpus"
os.execute("mkdir -p " .. dir)
local count = 0
for d, data in ipairs(DATA) do
  for s, script in ipairs(SCRIPTS) do
    -- Not every pair: a few dozen seeds keep the smoke run's start short.
    if (d + s) % 4 == 0 or s == 1 then
      -- Flags: strfile, read-write, write-only; guarded mappings (5, 7)
      -- for the scripts that shrink the file under them.
      local kinds = s >= 15 and { 5 | 7 << 3, 7 | 5 << 3 } or { 0, 1, 3 }
      for _, flags in ipairs { kinds[(d + s) % #kinds + 1] } do
        local bytes = { string.char(flags, #data & 255, #data >> 8), data }
        for _, b in ipairs(script) do bytes[#bytes + 1] = string.char(b) end
        local f = assert(io.open(("%s/seed-%02d-%02d-%d"):format(dir, d, s,
          flags), "wb"))
        f:write(table.concat(bytes))
        f:close()
        count = count + 1
      end
    end
  end
end
print(("%d seeds in %s"):format(count, dir))
