-- Every Lua snippet of README.md, docs/*.md and bench/README.md runs on its
-- own and prints what the text says it prints (conventions in
-- test/smoke/doc_snippets.lua and docs/design.md).
local H = require "spec_helper"
local S = require "smoke.doc_snippets"

local ROOT = assert(io.popen("pwd")):read("l")
local BUILD = H.BUILD:sub(1, 1) == "/" and H.BUILD or ROOT .. "/" .. H.BUILD
local ENV = ("LUA_CPATH=%s LUA_PATH=%s"):format(
  H.shquote(BUILD .. "/?.so;;"),
  H.shquote(ROOT .. "/lua/?.lua;" .. ROOT .. "/lua/?/init.lua;;"))

local function documents()
  local list = {}
  local p = assert(io.popen("ls README.md bench/README.md docs/*.md 2>/dev/null"))
  for f in p:lines() do list[#list + 1] = f end
  p:close()
  return list
end

local function sh(cmd)
  local ok = os.execute(cmd)
  return ok == true
end

-- Whether `need` exists, asked of a fresh interpreter so that this one
-- loads nothing (luv would change how ipc.proc runs here). `need` is a
-- module or a module field (`ipc.proc.lines`), a method of the handles of
-- ipc.proc (`ipc.proc:stdout`), spawn options (`spawn{detach=true}`:
-- spawn checks its option keys and accepts these), or a field with the
-- value it must have (`ipc.platform.sem_value_max=2147483647`).
local PROBE = [==[
local need = ...
local function field(path)
  local parts = {}
  for p in path:gmatch("[^.]+") do parts[#parts + 1] = p end
  for i = #parts, 1, -1 do
    local ok, v = pcall(require, table.concat(parts, ".", 1, i))
    if ok then
      for j = i + 1, #parts do
        if type(v) ~= "table" then return nil end
        v = v[parts[j]]
      end
      return v
    end
  end
end
local proc = require "ipc.proc"
local opts = need:match("^spawn(%b{})$")
if opts then
  local bogus = pcall(proc.spawn, { "true" }, { no_such_option = true })
  local ok, h = pcall(proc.spawn, { "true" }, load("return " .. opts)())
  if ok and h then h:close() end
  os.exit(not bogus and ok and h and 0 or 1)
end
local method = need:match("^ipc%.proc:(.+)$")
if method then
  local h = proc.spawn({ "true" }, {})
  local m = h[method]
  h:close()
  os.exit(m ~= nil and 0 or 1)
end
-- `path=value`: the field must have that value (`sem_value_max=2147483647`).
local path, want = need:match("^([^=]+)=(.+)$")
local value = field(path or need)  -- a capability of the platform table may be false
if want then os.exit(tostring(value) == want and 0 or 1) end
os.exit(value ~= nil and value ~= false and 0 or 1)
]==]

local probe_file
local function available(need)
  if not probe_file then
    probe_file = os.tmpname()
    H.writefile(probe_file, PROBE)
  end
  return sh(("%s %s %s %s </dev/null >/dev/null 2>&1"):format(ENV, H.LUA,
    H.shquote(probe_file), H.shquote(need)))
end

local function missing(snippet)
  local out = {}
  for _, need in ipairs(snippet.needs) do
    if not available(need) then out[#out + 1] = need end
  end
  return #out > 0 and table.concat(out, ", ") or nil
end

local function listdir(dir)
  local p = assert(io.popen("ls -A " .. H.shquote(dir)))
  local names = p:read("a")
  p:close()
  return names
end

-- The command that runs `script` in `dir`, stdout line-buffered so that
-- a second process can wait for the first's first line.
local function lua_cmd(dir, script, out, err)
  return ("cd %s && %s timeout 120 %s -e 'io.stdout:setvbuf(\"line\")' %s >%s 2>%s")
    :format(H.shquote(dir), ENV, H.LUA, H.shquote(script), H.shquote(out),
            H.shquote(err))
end

-- Runs the snippets in `group` (one, or a first and a second process) and
-- returns, per snippet, { ok, out, err }.
local function run(group)
  local work = os.tmpname()
  os.remove(work)
  assert(sh("mkdir " .. H.shquote(work)))
  local files = {}
  for k, snippet in ipairs(group) do
    local f = { script = os.tmpname(), out = os.tmpname(), err = os.tmpname(),
                rc = os.tmpname() }
    H.writefile(f.script, snippet.code)
    files[k] = f
  end
  local cmd
  if #group == 1 then
    local f = files[1]
    cmd = lua_cmd(work, f.script, f.out, f.err) .. "; echo $? >" .. f.rc
  else
    local a, b = files[1], files[2]
    cmd = ("(%s; echo $? >%s) & p=$!; i=0; "
      .. "while [ ! -s %s ] && [ $i -lt 1200 ] && kill -0 $p 2>/dev/null; do sleep 0.05; i=$((i+1)); done; "
      .. "%s; echo $? >%s; wait $p")
      :format(lua_cmd(work, a.script, a.out, a.err), a.rc, H.shquote(a.out),
              lua_cmd(work, b.script, b.out, b.err), b.rc)
  end
  os.execute(cmd)
  local results = {}
  for k, f in ipairs(files) do
    results[k] = { rc = tonumber(H.readfile(f.rc)), out = H.readfile(f.out),
                   err = H.readfile(f.err) }
    for _, p in pairs(f) do os.remove(p) end
  end
  local left = listdir(work)
  sh("rm -rf " .. H.shquote(work))
  return results, left
end

local function check(doc, group)
  local results, left = run(group)
  for k, snippet in ipairs(group) do
    local r = results[k]
    local where = ("%s:%d"):format(doc, snippet.line)
    assert(r.rc == 0 and r.err == "", ("%s exited with %s; stderr:\n%s\nstdout:\n%s")
      :format(where, tostring(r.rc), r.err, r.out))
    local expect = snippet.expect or ""
    assert(S.matches(expect, r.out), ("%s printed:\n%s\nthe text says:\n%s")
      :format(where, r.out, expect))
  end
  assert(left == "", ("%s:%d left files behind: %s"):format(doc,
    group[1].line, left))
end

describe("documentation snippets", function()
  for _, doc in ipairs(documents()) do
    local snippets = S.parse(H.readfile(doc))
    local k = 1
    while k <= #snippets do
      local snippet = snippets[k]
      local group = { snippet }
      if snippet.process == 1 then
        local second = snippets[k + 1]
        assert(second and second.process == 2,
          ("%s:%d: a first process without a second"):format(doc, snippet.line))
        group[2] = second
        k = k + 1
      else
        assert(snippet.process == nil,
          ("%s:%d: a second process without a first"):format(doc, snippet.line))
      end
      k = k + 1
      local name = ("%s:%d%s"):format(doc, snippet.line,
        #group == 2 and " (two processes)" or "")
      if snippet.norun then
        it(name .. " is not meant to run, but compiles", function()
          assert.is_nil(snippet.expect)
          assert(load(snippet.code, "=" .. name))
        end)
      else
        it(name .. " runs and prints what the text says", function()
          local need = missing(snippet)
          for _, s in ipairs(group) do need = need or missing(s) end
          if need then
            for cap in need:gmatch("ipc%.platform%.([%w_]+)") do
              H.skip_counts[cap] = (H.skip_counts[cap] or 0) + 1
            end
            pending(("%s: needs %s, not available"):format(name, need))
            return
          end
          check(doc, group)
        end)
      end
    end
  end

  teardown(function()
    if probe_file then os.remove(probe_file) end
  end)

  it("README.md links every page of docs/", function()
    local readme = H.readfile("README.md")
    for _, doc in ipairs(documents()) do
      if doc:match("^docs/") then
        assert(readme:find("(" .. doc .. ")", 1, true), doc .. " is not linked from README.md")
      end
    end
  end)

  it("the conventions catch a wrong output", function()
    assert.is_true(S.matches("a\tb...\n", "a\tbcd\n"))
    assert.is_false(S.matches("a\n", "b\n"))
    assert.is_false(S.matches("a\n", "a\nb\n"))
    local parsed = S.parse("x\n<!-- doc: needs ipc.loop; first process -->\n```lua\nprint(1)\n```\n"
      .. "prints:\n\n```text\n1\n```\n")
    assert.same({ "ipc.loop" }, parsed[1].needs)
    assert.equal(1, parsed[1].process)
    assert.equal("1\n", parsed[1].expect)
  end)
end)
