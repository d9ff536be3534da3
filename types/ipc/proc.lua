---@meta ipc.proc
-- docs/proc.md

---@alias ipc.proc.Stdio
---| true       # a pipe
---| false      # the parent's own stream
---| nil        # the parent's own stream
---| file*      # that file
---| "null"     # the null device

---@alias ipc.proc.Signal
---| "term" | "kill" | "int" | "hup" | "quit" | "usr1" | "usr2" | "stop" | "cont"
---| string  # the same names in any case, with or without "SIG"
---| integer # a signal number

---@class ipc.proc.SpawnOptions
---@field stdin? ipc.proc.Stdio|ipc.proc.Stream a stream of another handle connects the two children
---@field stdout? ipc.proc.Stdio
---@field stderr? ipc.proc.Stdio|"stdout" "stdout": like 2>&1
---@field callback? fun(stream: "stdout"|"stderr"|"stdin", data: string?, message: string?, errno: integer?)
---@field env? table<string, string|number|false>
---@field clear_env? boolean
---@field cwd? string
---@field group? boolean
---@field timeout? number seconds, then SIGTERM, then SIGKILL one second later
---@field drain_timeout? number seconds, default 1
---@field detach? boolean new session, outlives the handle and the program; no pipes, no wait
---@field die_with_parent? boolean SIGKILL when the program ends (platform.die_with_parent)

---@class ipc.proc.RunOptions: ipc.proc.SpawnOptions
---@field input? string fed to stdin, then EOF
---@field max_output? integer bytes kept per stream

---@class ipc.proc.LinesOptions: ipc.proc.SpawnOptions
---@field check? boolean false: no error when the child fails

---@class ipc.proc.RunResult
---@field ok true|nil
---@field what "exit"|"signal"|"unknown"
---@field code integer
---@field stdout string
---@field stderr string
---@field truncated boolean
---@field timed_out boolean

---The output of a child, pulled on demand; read-only and file-like.
---@class ipc.proc.Stream
local Stream = {}

---Reads as `file:read` does; nil at the end, nil, "timeout", 110 on timeout.
---@overload fun(self: ipc.proc.Stream): string?
---@overload fun(self: ipc.proc.Stream, fmt: "n"|"*n"): number?
---@overload fun(self: ipc.proc.Stream, fmt: "l"|"L"|"a"|"*l"|"*L"|"*a"|integer): string?
---@param ... ipc.ReadFormat
---@return string|number|nil ...
function Stream:read(...) end

---An iterator with the formats given (default "l").
---@param ... ipc.ReadFormat
---@return fun(): string|number|nil
function Stream:lines(...) end

---Limits each read: nil or negative: none; 0: never wait.
---@param seconds number?
---@return true
function Stream:settimeout(seconds) end

---Stops reading; later output is discarded.
---@return true
function Stream:close() end

---A running or finished child process.
---@class ipc.proc.Process
local Process = {}

---Queues strings for stdin (never blocks); `proc.EOF` closes stdin.
---@param ... string|number|lightuserdata
---@return true|nil ok
---@return string? message
---@return integer? errno
function Process:write(...) end

---Waits for the end; returns what os.execute returns, or false on timeout.
---@param timeout? number seconds; 0 polls
---@return boolean|nil ok
---@return "exit"|"signal"|string|nil what
---@return integer? code
function Process:wait(timeout) end

---Sends a signal (default "term"); with `group`, to the whole group.
---@param sig? ipc.proc.Signal
---@return true|nil ok
---@return string? message
---@return integer? errno
function Process:kill(sig) end

---@return integer
---@nodiscard
function Process:pid() end

---Whether `options.timeout` ended the child.
---@return boolean
---@nodiscard
function Process:timed_out() end

---Kills a child still running (never a detached one) and reaps it.
---@return true
function Process:close() end

---The stream of a pulled stdout pipe.
---@return ipc.proc.Stream
function Process:stdout() end

---The stream of a pulled stderr pipe.
---@return ipc.proc.Stream
function Process:stderr() end

---`h:stdout():read(...)`.
---@overload fun(self: ipc.proc.Process): string?
---@overload fun(self: ipc.proc.Process, fmt: "n"|"*n"): number?
---@overload fun(self: ipc.proc.Process, fmt: "l"|"L"|"a"|"*l"|"*L"|"*a"|integer): string?
---@param ... ipc.ReadFormat
---@return string|number|nil ...
function Process:read(...) end

---`h:stdout():lines(...)`.
---@param ... ipc.ReadFormat
---@return fun(): string|number|nil
function Process:lines(...) end

---Bytes queued by `write` and not yet accepted by the pipe.
---@return integer
---@nodiscard
function Process:queued() end

---Waits until `queued()` is 0; false on timeout.
---@param timeout? number
---@return boolean|nil ok
---@return string? message
---@return integer? errno
function Process:drain(timeout) end

---@class ipc.proc
---@field _VERSION string
local proc = {}

---Passed to `h:write`, closes the child's stdin once the rest is sent.
---@type lightuserdata
proc.EOF = nil

---Starts `cmd`: a string runs through /bin/sh -c, an array runs directly.
---@param cmd string|(string|number)[]
---@param options? ipc.proc.SpawnOptions
---@return ipc.proc.Process|nil handle
---@return string? message
---@return integer? errno
---@nodiscard
function proc.spawn(cmd, options) end

---Runs `cmd` to the end and returns its status and output.
---@param cmd string|(string|number)[]
---@param options? ipc.proc.RunOptions
---@return ipc.proc.RunResult|nil result
---@return string? message
---@return integer? errno
function proc.run(cmd, options) end

---An iterator over the child's stdout for a generic for, as io.lines.
---@param cmd string|(string|number)[]
---@param options? ipc.proc.LinesOptions
---@param ... ipc.ReadFormat
---@return fun(): string|number|nil
---@return any
---@return any
---@return any closing
function proc.lines(cmd, options, ...) end

---Waits until one of `handles` has finished; returns it and its status.
---@param handles ipc.proc.Process[]
---@param timeout? number
---@return ipc.proc.Process|false handle
---@return boolean|nil ok
---@return string? what
---@return integer? code
function proc.wait_any(handles, timeout) end

return proc
