---@meta ipc.filelock
-- docs/filelock.md

---@alias ipc.filelock.Mode
---| "r"  # shared
---| "w"  # exclusive
---| "rw" # exclusive

---@class ipc.filelock
---@field _VERSION string
local filelock = {}

---Locks `nbytes` bytes from `offset` (0: to the end and beyond), waiting.
---@param file file*
---@param mode ipc.filelock.Mode
---@param offset? integer default 0
---@param nbytes? integer default 0
---@return true|nil ok
---@return string? message
---@return integer? errno
function filelock.lock(file, mode, offset, nbytes) end

---Like `lock`, but returns `false` instead of waiting.
---@param file file*
---@param mode ipc.filelock.Mode
---@param offset? integer
---@param nbytes? integer
---@return boolean|nil ok
---@return string? message
---@return integer? errno
function filelock.trylock(file, mode, offset, nbytes) end

---Unlocks the range (same defaults).
---@param file file*
---@param offset? integer
---@param nbytes? integer
---@return true|nil ok
---@return string? message
---@return integer? errno
function filelock.unlock(file, offset, nbytes) end

return filelock
