-- The input files of a run, made once under the run's scratch folder.
-- name -> bytes { full run, --smoke }; false: a path the variant creates.
local MiB = 1048576

local I = {}

local SIZES = {
  lines = { 200 * MiB, MiB },
  text = { 50 * MiB, 256 * 1024 },
  lockfile = { false, false },
}

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

-- Makes the inputs named in `need` (a set) under `scratch`; returns
-- name -> path.
function I.prepare(need, scratch, smoke)
  local paths = {}
  for name in pairs(need) do
    local sizes = SIZES[name] or error("no input named " .. name)
    local path = scratch .. "/" .. name
    local size = sizes[smoke and 2 or 1]
    if size then make_text(path, size) end
    paths[name] = path
  end
  return paths
end

return I
