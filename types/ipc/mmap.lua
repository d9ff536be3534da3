---@meta ipc.mmap
-- docs/mmap.md

---A memory-mapped file.
---@class ipc.mmap.Handle: ipc.MemFile
local Handle = {}

---@class ipc.mmap
---@field _VERSION string
local mmap = {}

---The size of a memory page; offsets are multiples of it.
---@type integer
mmap.pagesize = 4096

---Maps `path`: mode "r" (default), "w" or "rw"; size 0 maps the rest.
---@param path string
---@param mode? "r"|"w"|"rw"
---@param offset? integer a multiple of `mmap.pagesize`, default 0
---@param size? integer default 0: up to the end of the file
---@return ipc.mmap.Handle|nil handle
---@return string? message
---@return integer? errno
---@nodiscard
function mmap.open(path, mode, offset, size) end

return mmap
