---@meta ipc.strfile
-- docs/strfile.md

---A read-only handle over the bytes of a string.
---@class ipc.strfile.Handle: ipc.MemFile
local Handle = {}

---@class ipc.strfile
---@field _VERSION string
local strfile = {}

---Opens a read-only handle over the bytes of `str` (nothing is copied).
---@param str string|number
---@return ipc.strfile.Handle
---@nodiscard
function strfile.open(str) end

return strfile
