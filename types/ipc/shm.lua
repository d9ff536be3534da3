---@meta ipc.shm
-- docs/shm.md

---A POSIX shared memory segment.
---@class ipc.shm.Handle: ipc.MemFile
local Handle = {}

---@class ipc.shm
---@field _VERSION string
local shm = {}

---Creates the segment `name` of `size` bytes (fails if it exists).
---@param name string
---@param size integer
---@param mode? integer permissions, default 384 (0600)
---@return ipc.shm.Handle|nil handle
---@return string? message
---@return integer? errno
---@nodiscard
function shm.create(name, size, mode) end

---Opens the existing segment `name` at its full size.
---@param name string
---@return ipc.shm.Handle|nil handle
---@return string? message
---@return integer? errno
---@nodiscard
function shm.attach(name) end

---Removes the name `name`; attached handles keep working.
---@param name string
---@return true|nil ok
---@return string? message
---@return integer? errno
function shm.remove(name) end

return shm
