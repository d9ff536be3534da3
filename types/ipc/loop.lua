---@meta ipc.loop
-- docs/loop.md

---@class ipc.loop
---@field _VERSION string
local loop = {}

---A descriptor that is readable whenever luaipc's loop has work to do.
---@return integer
---@nodiscard
function loop.pollfd() end

---Seconds until the loop's next timer, or nil when there is none.
---@return number?
---@nodiscard
function loop.timeout() end

---Runs what is ready and delivers its callbacks, without blocking.
function loop.step() end

---Installs the function that suspends a coroutine until `fd` is readable
---or `timeout` seconds passed; nil removes it.
---@param fn? fun(fd: integer, timeout: number?)
function loop.scheduler(fn) end

return loop
