-- The lua-language-server definitions under types/ cover what the modules
-- really export: every function, field and handle method a module has must
-- be defined there. Definitions of what this build does not have yet are
-- reported as pending, not as failures.
local H = require "spec_helper"

local TYPES = "types/ipc/"

-- Reads every definition file: classes, their parents, and their members
-- (---@field, function V.name / V:name, V.name = ...).
local function definitions()
  local classes = {}
  local p = assert(io.popen("ls " .. TYPES .. "*.lua"))
  for path in p:lines() do
    local text = H.readfile(path)
    assert(load(text, "@" .. path), "not valid Lua: " .. path)
    local current, vars = nil, {}
    for line in text:gmatch("[^\n]*") do
      local name, parent = line:match("^%-%-%-@class%s+([%w_.]+)%s*:?%s*([%w_.]*)")
      if name then
        current = classes[name] or { members = {}, file = path }
        current.parent = parent ~= "" and parent or nil
        classes[name] = current
      end
      local field = line:match("^%-%-%-@field%s+([%w_]+)")
      if field and current then current.members[field] = true end
      local var = line:match("^local%s+([%w_]+)%s*=%s*{}")
      if var and current then vars[var] = current end
      local v, member = line:match("^function%s+([%w_]+)[.:]([%w_]+)%s*%(")
      if not v then v, member = line:match("^([%w_]+)%.([%w_]+)%s*=") end
      if v and vars[v] then vars[v].members[member] = true end
    end
  end
  p:close()
  return classes
end

local classes = definitions()

-- The members of a class and of its parents.
local function members(name)
  local out = {}
  while name do
    local class = assert(classes[name], "no definition of class " .. name)
    for m in pairs(class.members) do out[m] = true end
    name = class.parent
  end
  return out
end

local function sorted(set)
  local list = {}
  for k in pairs(set) do list[#list + 1] = k end
  table.sort(list)
  return list
end

-- Compares what `actual` (a set of names) has with the definitions of
-- `class`: missing definitions fail, unimplemented definitions are pending.
local function compare(class, actual)
  local defined = members(class)
  local undefined, unbuilt = {}, {}
  for name in pairs(actual) do
    if not defined[name] then undefined[#undefined + 1] = name end
  end
  for name in pairs(defined) do
    if not actual[name] then unbuilt[#unbuilt + 1] = name end
  end
  table.sort(undefined)
  table.sort(unbuilt)
  assert(#undefined == 0, ("%s exports %s, which types/ does not define")
    :format(class, table.concat(undefined, ", ")))
  if #unbuilt > 0 then
    pending(("%s: defined in types/ but not in this build: %s")
      :format(class, table.concat(unbuilt, ", ")))
  end
end

local function keys(t)
  local set = {}
  for k in pairs(t) do set[k] = true end
  return set
end

local function methods(handle)
  local index = getmetatable(handle).__index
  assert(type(index) == "table", "the methods of a handle are in a table")
  return keys(index)
end

local MODULES = { "proc", "shm", "mmap", "strfile", "sem", "filelock", "loop" }

describe("types/", function()
  it("defines a class for each module", function()
    for _, m in ipairs(MODULES) do
      assert(classes["ipc." .. m], "no ---@class ipc." .. m)
    end
    assert(classes.ipc, "no ---@class ipc")
  end)

  for _, m in ipairs(MODULES) do
    it("defines every field of ipc." .. m, function()
      local ok, mod = pcall(require, "ipc." .. m)
      if not ok then
        pending(("ipc.%s is not in this build; defined: %s"):format(m,
          table.concat(sorted(members("ipc." .. m)), ", ")))
        return
      end
      compare("ipc." .. m, keys(mod))
    end)
  end

  it("defines every field of ipc", function()
    compare("ipc", keys(require "ipc"))
  end)

  local tmp
  local HANDLES = {
    { "ipc.proc.Process", function()
        return assert(require("ipc.proc").spawn({ "true" }))
      end },
    { "ipc.proc.Stream", function()
        local h = assert(require("ipc.proc").spawn({ "true" }))
        local has = h.stdout ~= nil
        h:close()
        if not has then return nil end
        return assert(require("ipc.proc").spawn({ "true" }, { stdout = true })):stdout()
      end },
    { "ipc.strfile.Handle", function() return require("ipc.strfile").open("x") end },
    { "ipc.mmap.Handle", function()
        tmp = os.tmpname()
        H.writefile(tmp, "x")
        return assert(require("ipc.mmap").open(tmp))
      end },
    { "ipc.shm.Handle", function()
        return assert(require("ipc.shm").create(H.uniq("types"), 16))
      end },
    { "ipc.sem.Handle", function()
        return assert(require("ipc.sem").create(H.uniq("types")))
      end },
  }

  for _, entry in ipairs(HANDLES) do
    local class, make = entry[1], entry[2]
    it("defines every method of " .. class, function()
      local handle = make()
      if not handle then
        pending(("%s is not in this build; defined: %s"):format(class,
          table.concat(sorted(members(class)), ", ")))
        return
      end
      local actual = methods(handle)
      handle:close()
      if tmp then os.remove(tmp); tmp = nil end
      compare(class, actual)
    end)
  end

  it("notices an undefined export", function()
    assert.has_error(function()
      compare("ipc.strfile", { open = true, not_defined_anywhere = true })
    end)
  end)
end)
