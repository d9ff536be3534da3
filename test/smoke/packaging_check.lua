-- Run by packaging.sh from an empty folder, with the search paths of an
-- installation: lua5.4 packaging_check.lua ROOT VERSION [MODULE...]
-- ipc.so and each pure-Lua MODULE must be found under ROOT (not in the
-- build folder, not elsewhere on the system), load, and carry
-- _VERSION "luaipc VERSION"; ipc.proc must run a child.
local root, version = arg[1], arg[2]
local expected = "luaipc " .. version

local function under_root(path, what)
  assert(path and path:sub(1, #root + 1) == root .. "/",
    ("%s found at %s, not under %s"):format(what, tostring(path), root))
end

under_root(package.searchpath("ipc", package.cpath), "ipc.so")
local proc = require "ipc.proc"
local r = assert(proc.run({ "echo", "from a child" }))
assert(r.ok and r.stdout == "from a child\n", "proc.run: unexpected result")
assert(proc._VERSION == expected, "ipc.proc._VERSION is " .. tostring(proc._VERSION))
for i = 3, #arg do
  under_root(package.searchpath(arg[i], package.path), arg[i])
  assert(require(arg[i])._VERSION == expected, arg[i] .. "._VERSION")
end
