-- One version, stated in CMakeLists.txt's project(luaipc VERSION x.y.z):
-- every module table carries it as _VERSION = "luaipc x.y.z", and the
-- versioned rockspec and the changelog agree with it.
require "spec_helper"

local version = H.readfile("CMakeLists.txt"):match("project%(luaipc VERSION ([%d.]+)")

-- The names of the pure-Lua modules under lua/ipc/ ("ipc.x" for x.lua).
local function lua_modules()
  local names = {}
  local p = assert(io.popen("ls lua/ipc/*.lua 2>/dev/null"))
  for path in p:lines() do names[#names + 1] = "ipc." .. path:match("([^/]+)%.lua$") end
  p:close()
  return names
end

describe("_VERSION", function()
  it("is stated in CMakeLists.txt", function()
    assert.is_string(version)
  end)

  it("is on require 'ipc' and on each of its modules", function()
    local ipc = require "ipc"
    local expected = "luaipc " .. version
    assert.equal(expected, ipc._VERSION)
    -- Every module in it (ipc.platform is a table of facts, not a module).
    local count = 0
    for name, module in pairs(ipc) do
      if package.loaded["ipc." .. name] == module then
        count = count + 1
        assert.equal(expected, module._VERSION, name)
      end
    end
    assert.is_true(count >= 7)
    for _, name in ipairs { "proc", "shm", "mmap", "strfile", "sem", "filelock", "loop" } do
      assert.equal(expected, require("ipc." .. name)._VERSION, name)
    end
  end)

  it("is on every pure-Lua module under lua/ipc/", function()
    for _, name in ipairs(lua_modules()) do
      assert.equal("luaipc " .. version, require(name)._VERSION, name)
    end
  end)

  it("names the versioned rockspec and matches its version field", function()
    local spec = H.readfile(("luaipc-%s-1.rockspec"):format(version))
    assert.equal(version .. "-1", spec:match('\nversion = "([^"]+)"'))
    assert.truthy(spec:find(("/v%s.tar.gz"):format(version), 1, true))
  end)

  it("is all that tells the scm rockspec from the versioned one, with the source", function()
    local function rest(path)
      return (H.readfile(path):gsub('\nversion = "[^"]*"', ""):gsub("\nsource = %b{}", ""))
    end
    local scm = rest("luaipc-scm-1.rockspec")
    assert.equal(rest(("luaipc-%s-1.rockspec"):format(version)), scm)
    assert.truthy(H.readfile("luaipc-scm-1.rockspec"):find(
      '\nsource = { url = "git+https://github.com/luaipc/luaipc.git" }', 1, true))
    assert.truthy(scm:find('homepage = "https://github.com/luaipc/luaipc"', 1, true))
  end)

  it("has a section in CHANGELOG.md", function()
    local log = H.readfile("CHANGELOG.md")
    assert.truthy(log:find(("\n## [%s] - "):format(version), 1, true))
  end)
end)
