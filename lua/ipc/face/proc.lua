-- The Lua face of ipc.proc: proc.run and proc.lines, built on spawn, wait
-- and the pulled streams so that they yield wherever wait yields. Compiled
-- into the module; called with the module table and spawns whose misuse
-- errors name `run` and `lines`.
local proc, spawn, spawn_for_lines = ...
local concat = table.concat
local EOF = proc.EOF

-- proc.run(cmd [, options]) -> { ok, what, code, stdout, stderr,
--   truncated, timed_out } | nil, message, errno
function proc.run(cmd, options)
  if options ~= nil and type(options) ~= "table" then
    error("bad argument #2 to 'run' (table expected, got " .. type(options) .. ")", 2)
  end
  local o = {}
  for k, v in pairs(options or {}) do o[k] = v end
  local input, max = o.input, o.max_output
  o.input, o.max_output = nil, nil
  if o.callback ~= nil then
    error("bad argument #2 to 'run' (options.callback is not allowed)", 2)
  end
  if input ~= nil and type(input) ~= "string" then
    error("bad argument #2 to 'run' (options.input must be a string)", 2)
  end
  if max ~= nil and (math.type(max) ~= "integer" or max < 0) then
    error("bad argument #2 to 'run' (options.max_output must be a non-negative integer)", 2)
  end
  if input then o.stdin = true end
  if o.stdout == nil then o.stdout = true end
  if o.stderr == nil then o.stderr = true end
  local chunks = { stdout = {}, stderr = {} }
  local sizes = { stdout = 0, stderr = 0 }
  local truncated = false
  function o.callback(stream, data)
    local t = chunks[stream]
    if not t or not data then return end  -- stdin errors: the child quit reading
    local size = sizes[stream]
    if max and size + #data > max then
      truncated = true
      data = data:sub(1, max - size)
      if #data == 0 then return end
    end
    sizes[stream] = size + #data
    t[#t + 1] = data
  end
  local done, h, msg, code = pcall(spawn, cmd, o)
  if not done then error(h, 2) end  -- misuse, reported at the caller's level
  if not h then return nil, msg, code end
  local _ <close> = h
  if o.stdin == true then  -- the child reads `input`, then end of file
    if input then h:write(input) end
    h:write(EOF)
  end
  local ok, what, status = h:wait()
  if ok == nil and what == "No child processes" then
    -- The status was lost (the program ignores SIGCHLD): not invented.
    ok, what, status = nil, "unknown", nil
  end
  return {
    ok = ok, what = what, code = status,
    stdout = concat(chunks.stdout), stderr = concat(chunks.stderr),
    truncated = truncated, timed_out = h:timed_out(),
  }
end

-- The command as an error message names it.
local function command_text(cmd)
  if type(cmd) ~= "table" then return tostring(cmd) end
  local t = {}
  for i = 1, #cmd do t[i] = tostring(cmd[i]) end
  return concat(t, " ")
end

-- proc.lines(cmd [, options [, ...]]) -> iterator, nil, nil, handle
-- (to be closed: leaving the loop early kills and reaps the child)
function proc.lines(cmd, options, ...)
  if options ~= nil and type(options) ~= "table" then
    error("bad argument #2 to 'lines' (table expected, got " .. type(options) .. ")", 2)
  end
  local o = {}
  for k, v in pairs(options or {}) do o[k] = v end
  local check = o.check
  o.check = nil
  if o.callback ~= nil then
    error("bad argument #2 to 'lines' (options.callback is not allowed)", 2)
  end
  if o.stdout ~= nil and o.stdout ~= true then
    error("bad argument #2 to 'lines' (options.stdout is the pulled pipe read)", 2)
  end
  o.stdout = true
  local done, h, msg = pcall(spawn_for_lines, cmd, o)
  if not done then error(h, 2) end
  if not h then error(msg, 2) end  -- as io.lines does for a missing file
  local s = h:stdout()
  local made, it = pcall(s.lines, s, ...)
  if not made then
    h:close()
    error(it, 2)
  end
  -- After the last value: at the end of stdout, the child's status is
  -- checked; a read that failed before the end kills the child instead.
  local function finish(...)
    if (...) ~= nil then return ... end
    s:settimeout(0)
    local v, why = s:read(0)
    if v ~= nil or why ~= nil then
      h:close()
      return nil
    end
    local ok, what, code = h:wait()
    if not ok and check ~= false then
      error(("proc.lines: %s: %s %s"):format(command_text(cmd), what, tostring(code)), 2)
    end
    return nil
  end
  if select("#", ...) > 1 then
    return function() return finish(it()) end, nil, nil, h
  end
  -- One value per step (the common case): no varargs on the way.
  return function()
    local v = it()
    if v ~= nil then return v end
    return finish()
  end, nil, nil, h
end

return proc
