-- shm_rw: TOTAL bytes written in 1 MiB chunks into a SEGMENT-byte shared
-- memory segment (wrapping around to the start when it is full), then read
-- back the same way. A segment smaller than TOTAL keeps /dev/shm use modest;
-- the work per byte is the same copy either way.
local lib = require "lib"

local W = {}

local CHUNK = 1048576

function W.luaipc(total, segment)
  local shm = require "ipc.shm"
  total, segment = tonumber(total), tonumber(segment)
  local h = assert(shm.create(("ipcbench-%d-shm"):format(lib.pid()), segment))
  local data = string.rep("x", CHUNK)
  local slots, got = segment // CHUNK, 0
  local t0 = lib.now()
  for i = 0, total // CHUNK - 1 do
    h:seek("set", i % slots * CHUNK)
    h:write(data)
  end
  for i = 0, total // CHUNK - 1 do
    h:seek("set", i % slots * CHUNK)
    got = got + #h:read(CHUNK)
  end
  local t = lib.now() - t0
  h:close()
  return t, got
end

-- The real limit (bench/c/shmcopy.c): the C baseline reads into one buffer
-- it reuses, hot in the cache, while every read a Lua program makes returns
-- a fresh string, which this minimal module makes too.
function W.cmod(total, segment)
  local shmcopy = require "shmcopy"
  total, segment = tonumber(total), tonumber(segment)
  local m = shmcopy.create(("/ipcbench-%d-shmcopy"):format(lib.pid()), segment)
  local data = string.rep("x", CHUNK)
  local slots, got = segment // CHUNK, 0
  local t0 = lib.now()
  for i = 0, total // CHUNK - 1 do
    m:write(i % slots * CHUNK, data)
  end
  for i = 0, total // CHUNK - 1 do
    got = got + #m:read(i % slots * CHUNK, CHUNK)
  end
  local t = lib.now() - t0
  m:close()
  return t, got
end

return W
