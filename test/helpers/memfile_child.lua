-- Child process for the cross-process tests of ipc.shm and ipc.mmap.
-- Usage: lua5.4 memfile_child.lua <action> <args...>; prints its results.
local shm = require "ipc.shm"
local mmap = require "ipc.mmap"

local action = arg[1]

local sleep = require("spec_helper").sleep

-- Polls `h` until the byte at `offset` is `want`; false after ~10 s.
local function await(h, offset, want)
  for _ = 1, 1000 do
    h:seek("set", offset)
    if h:read(1) == want then return true end
    sleep(0.01)
  end
  return false
end

if action == "shm-write" then -- name offset text
  local h = assert(shm.attach(arg[2]))
  assert(h:seek("set", tonumber(arg[3])))
  assert(h:write(arg[4]) == h)
  print("size", h:size())
  assert(h:close())
elseif action == "shm-read" then -- name
  local h = assert(shm.attach(arg[2]))
  io.write(h:read("a"))
  h:close()
elseif action == "shm-create" then -- name size text exit-mode
  local h = assert(shm.create(arg[2], tonumber(arg[3])))
  assert(h:write(arg[4]))
  -- "crash" leaves without closing the Lua state, as a killed process would.
  if arg[5] == "crash" then os.exit(0, false) end
  os.exit(0, true)
elseif action == "shm-shrink" then -- name bytes: truncates the segment
  local f = assert(io.open("/dev/shm/" .. arg[2], "r+"))
  f:close()
  assert(os.execute("truncate -s " .. arg[3] .. " /dev/shm/" .. arg[2]))
elseif action == "mmap-write" then -- path offset text
  local h = assert(mmap.open(arg[2], "w"))
  assert(h:seek("set", tonumber(arg[3])))
  assert(h:write(arg[4]) == h)
  assert(h:flush())
  assert(h:close())
elseif action == "mmap-pingpong" then -- path
  -- Writes "C" at 0, waits for the parent's "P" at 1, answers "D" at 2.
  local h = assert(mmap.open(arg[2], "rw"))
  assert(h:write("C"))
  assert(await(h, 1, "P"), "no P from the parent")
  h:seek("set", 2)
  assert(h:write("D"))
  h:close()
  print("done")
else
  error("unknown action " .. tostring(action))
end
