---@meta ipc.sem
-- docs/sem.md

---A named counting semaphore.
---@class ipc.sem.Handle
local Handle = {}

---Increments the value and wakes one waiter.
---@return true|nil ok
---@return string? message
---@return integer? errno
function Handle:inc() end

---Decrements, waiting while the value is 0: `timeout` absent or negative
---waits forever, 0 only tries; `false` when it could not in time.
---@param timeout? number seconds
---@return boolean|nil ok
---@return string? message
---@return integer? errno
function Handle:dec(timeout) end

---The current value.
---@return integer|nil value
---@return string? message
---@return integer? errno
---@nodiscard
function Handle:value() end

---Closes; the creator's close removes the name.
---@return true|nil ok
---@return string? message
---@return integer? errno
function Handle:close() end

---@class ipc.sem
---@field _VERSION string
local sem = {}

---Creates with value `n` when `n` is given and not 0, else opens.
---@param name string
---@param n? integer
---@param mode? integer permissions when creating, default 384 (0600)
---@return ipc.sem.Handle|nil handle
---@return string? message
---@return integer? errno
---@nodiscard
function sem.open(name, n, mode) end

---Creates with value `n` (default 0); fails if the name exists.
---@param name string
---@param n? integer
---@param mode? integer permissions, default 384 (0600)
---@return ipc.sem.Handle|nil handle
---@return string? message
---@return integer? errno
---@nodiscard
function sem.create(name, n, mode) end

---Removes the name; open handles keep working.
---@param name string
---@return true|nil ok
---@return string? message
---@return integer? errno
function sem.remove(name) end

return sem
