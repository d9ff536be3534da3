---@meta
-- The methods shared by the handles of ipc.strfile, ipc.mmap and ipc.shm
-- (docs/filelike.md). Not a module of its own.

---@alias ipc.ReadFormat
---| "n" # a number
---| "l" # a line without its end
---| "L" # a line with its end
---| "a" # everything left
---| "*n" | "*l" | "*L" | "*a"
---| integer # that many bytes; 0 tests for the end

---@alias ipc.SeekWhence "set"|"cur"|"end"

---A block of memory with the interface of a Lua file.
---@class ipc.MemFile
local MemFile = {}

---Reads as `file:read` does, for every format.
---@overload fun(self: ipc.MemFile): string?
---@overload fun(self: ipc.MemFile, fmt: "n"|"*n"): number?
---@overload fun(self: ipc.MemFile, fmt: "l"|"L"|"a"|"*l"|"*L"|"*a"|integer): string?
---@param ... ipc.ReadFormat
---@return string|number|nil ...
---@nodiscard
function MemFile:read(...) end

---An iterator over the handle with the formats given (default `"l"`).
---@param ... ipc.ReadFormat
---@return fun(): string|number|nil
function MemFile:lines(...) end

---Writes strings and numbers at the position; never grows the region.
---@param ... string|number
---@return self|nil handle
---@return string? message "not enough space" or the error of the OS
---@return integer? errno
function MemFile:write(...) end

---Moves the position; it must stay between 0 and `size()`.
---@param whence? ipc.SeekWhence default "cur"
---@param offset? integer default 0
---@return integer|nil position
---@return string? message
---@return integer? errno
function MemFile:seek(whence, offset) end

---For mmap, writes changed pages back (msync); otherwise nothing to do.
---@return true|nil ok
---@return string? message
---@return integer? errno
function MemFile:flush() end

---Accepted for compatibility; changes nothing.
---@param mode "no"|"full"|"line"
---@param size? integer
---@return true
function MemFile:setvbuf(mode, size) end

---The usable length in bytes.
---@return integer
---@nodiscard
function MemFile:size() end

---The address of the first byte, for an FFI.
---@return lightuserdata
---@nodiscard
function MemFile:addr() end

---Shrinks the usable length; asked to grow, returns nil and a message.
---@param bytes integer
---@return true|nil ok
---@return string? message
function MemFile:truncate(bytes) end

---Releases the memory (the creator of an shm segment removes its name).
---@return true|nil ok
---@return string? message
---@return integer? errno
function MemFile:close() end
