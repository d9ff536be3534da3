-- Tests, fuzzers and sources cite the contract as docs/contract.md, "<section
-- heading>"; every heading they cite must exist there, so that a reader
-- can find the promise a test checks.
local function readfile(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function headings()
  local set = {}
  for line in readfile("docs/contract.md"):gmatch("[^\n]+") do
    local h = line:match("^#+%s+(.-)%s*$")
    if h then set[h] = true end
  end
  return set
end

-- The text of a file with its comment markers removed and its lines
-- joined, so that a citation wrapped over two comment lines reads whole.
local function flat(path)
  local parts = {}
  for line in readfile(path):gmatch("[^\n]*") do
    parts[#parts + 1] = line:gsub("^%s*%-%-+%s?", ""):gsub("^%s*//+%s?", "")
      :gsub("^%s*#+%s?", "")
  end
  return table.concat(parts, " "):gsub("%s+", " ")
end

-- The headings cited in `text`: the quoted strings right after
-- "docs/contract.md," or "docs/contract.md (", separated by commas.
local function citations(text)
  local out, from = {}, 1
  while true do
    local _, stop = text:find("contract.md", from, true)
    if not stop then break end
    from = stop + 1
    local rest = text:sub(from):match("^,?%s*%(?%s*(.*)$")
    while true do
      local q, after = rest:match('^"([^"]+)"(.*)$')
      if not q then break end
      out[#out + 1] = q
      rest = after:match('^,%s*(".*)$')
      if not rest then break end
    end
  end
  return out
end

describe("docs/contract.md", function()
  local known = headings()

  it("has the sections the tests cite", function()
    local p = assert(io.popen(
      "grep -rlF 'contract.md' test fuzz src bench valgrind examples 2>/dev/null"))
    local bad = {}
    for path in p:lines() do
      if path == "test/smoke/contract_spec.lua" then goto next end
      for _, cited in ipairs(citations(flat(path))) do
        if not known[cited] then bad[#bad + 1] = path .. ': "' .. cited .. '"' end
      end
      ::next::
    end
    p:close()
    assert(#bad == 0, "cited headings missing from docs/contract.md:\n"
      .. table.concat(bad, "\n"))
  end)

  it("reads citations wrapped over comment lines", function()
    local text = 'docs/contract.md, "ipc.proc", "Inside a luv program": "quoted"'
    assert.same({ "ipc.proc", "Inside a luv program" }, citations(text))
    assert.same({ "The file-like handles (strfile, mmap, shm)" },
      citations('docs/contract.md ("The file-like handles (strfile, mmap, shm)") does'))
    assert.is_true(known["Second wave (2026-12): what users asked for next"])
  end)
end)
