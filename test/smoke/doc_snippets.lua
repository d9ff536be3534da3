-- Finds the Lua snippets of a Markdown file and what the text says they
-- print. The conventions (docs/design.md, "Documentation that runs"):
--
-- * Every ```lua block is a program that runs on its own, in an empty
--   folder, and must exit with status 0, write nothing on stderr and leave
--   nothing behind in that folder.
-- * A line ending in "prints:" followed by a ```text block gives its exact
--   output; "..." in it stands for any text on that line. A block without
--   one must print nothing.
-- * An HTML comment on the line right before the block changes that:
--     <!-- doc: norun -->           a fragment, not meant to run
--     <!-- doc: needs A B -->       runs only when A and B exist (a module
--                                   name, or a module field such as
--                                   ipc.proc.lines) and are not false (a
--                                   capability: ipc.platform.ofd_locks);
--                                   otherwise skipped
--     <!-- doc: first process -->   the block after it, marked
--     <!-- doc: second process -->  "second process", runs at the same time
--                                   in another process, started once the
--                                   first has printed its first line
--   Several markers go in one comment, separated by ";".
local M = {}

local function parse_marker(line, snippet)
  local body = line:match("^%s*<!%-%-%s*doc:(.-)%-%->%s*$")
  if not body then return false end
  for item in body:gmatch("[^;]+") do
    local word, rest = item:match("^%s*(%S+)%s*(.-)%s*$")
    if word == "norun" then
      snippet.norun = true
    elseif word == "needs" then
      for need in rest:gmatch("%S+") do table.insert(snippet.needs, need) end
    elseif word == "first" and rest == "process" then
      snippet.process = 1
    elseif word == "second" and rest == "process" then
      snippet.process = 2
    else
      error(("line %d: unknown doc marker %q"):format(snippet.line, item))
    end
  end
  return true
end

-- Returns the list of snippets of `text`: { line, code, expect (string or
-- nil), norun, needs = {...}, process (nil, 1 or 2) }.
function M.parse(text)
  local lines = {}
  for l in (text .. (text:sub(-1) == "\n" and "" or "\n")):gmatch("(.-)\n") do
    lines[#lines + 1] = l
  end
  local snippets, i = {}, 1
  local last
  while i <= #lines do
    local fence, lang = lines[i]:match("^(%s*```+)%s*(%S*)%s*$")
    if fence then
      local start = i
      local body = {}
      i = i + 1
      while i <= #lines and not lines[i]:match("^%s*```+%s*$") do
        body[#body + 1] = lines[i]
        i = i + 1
      end
      local code = table.concat(body, "\n") .. "\n"
      if lang == "lua" then
        last = { line = start, code = code, needs = {} }
        local m = start - 1
        if m >= 1 and lines[m]:match("^%s*<!%-%-") then
          parse_marker(lines[m], last)
        end
        snippets[#snippets + 1] = last
      elseif lang == "text" and last and not last.expect then
        local p = start - 1
        while p >= 1 and lines[p]:match("^%s*$") do p = p - 1 end
        if p >= 1 and lines[p]:match("prints:%s*$") then last.expect = code end
      end
    elseif lines[i]:match("^%s*<!%-%-%s*doc:") then
      -- checked when the block after it is read; a marker before anything
      -- but a Lua block is a mistake in the text
      local n = lines[i + 1] or ""
      if not n:match("^%s*```lua%s*$") then
        error(("line %d: doc marker not followed by a ```lua block"):format(i))
      end
    end
    i = i + 1
  end
  return snippets
end

local function escape(s)
  return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"))
end

-- true when `got` matches `expect` line for line ("..." matches any text).
function M.matches(expect, got)
  local el, gl = {}, {}
  for l in expect:gmatch("(.-)\n") do el[#el + 1] = l end
  for l in got:gmatch("(.-)\n") do gl[#gl + 1] = l end
  if got ~= "" and got:sub(-1) ~= "\n" then return false end
  if #el ~= #gl then return false end
  for k = 1, #el do
    local pat = "^" .. escape(el[k]):gsub("%%%.%%%.%%%.", ".-") .. "$"
    if not gl[k]:match(pat) then return false end
  end
  return true
end

return M
