---@meta ipc
-- docs/ipc.md

---@class ipc.Platform
---@field os "linux"|"macos"|"freebsd"|"windows"|string
---@field proc boolean this build has ipc.proc (false on Windows for now)
---@field ofd_locks boolean two handles of a file in one process exclude each other
---@field sem_value boolean sem handles have a working value()
---@field pidfd boolean
---@field signals boolean signal names beyond term and kill
---@field die_with_parent boolean
---@field sem_identity boolean a creator's close leaves a successor of the name alone
---@field persistent_names boolean names stay until removed (false on Windows)
---@field pipe_resize boolean pipes to children get bigger kernel buffers (Linux)
---@field shm_name_max integer
---@field sem_name_max integer
---@field sem_value_max integer the largest value a semaphore may be created with

---@class ipc
---@field _VERSION string
---@field platform ipc.Platform
---@field proc ipc.proc
---@field shm ipc.shm
---@field mmap ipc.mmap
---@field strfile ipc.strfile
---@field sem ipc.sem
---@field filelock ipc.filelock
---@field loop ipc.loop
local ipc = {}

return ipc
