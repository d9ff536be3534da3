-- ipc.proc inside a luv program: a small TCP server on 127.0.0.1 that
-- answers each request line by running a command, while a timer keeps
-- ticking. Every request is handled in a coroutine; proc.run() in it
-- suspends only that coroutine, so luv's loop keeps serving the other
-- connections and the timer while the child runs.
--
--   LUA_CPATH='./build/?.so;;' lua5.4 examples/luv_server.lua
--       demonstration: serves a few requests of its own built-in client
--   ... examples/luv_server.lua --serve [--port P] [--requests N] [--seconds S]
--       serves other clients; stops after N answers (default: no limit) or
--       S seconds (default 30). Port 0 (the default) picks a free port.
--
-- Protocol, one line each way: "upper TEXT" -> TEXT in capitals (tr),
-- "count TEXT" -> number of words (wc -w), "sleep SECONDS" -> "slept
-- SECONDS" (sh -c). The first line printed is "listening on 127.0.0.1:PORT";
-- the last one sums up what the server did.
local uv = require "luv"
local proc = require "ipc.proc"

local opt = { port = 0, requests = math.huge, seconds = 30 }
for i = 1, #arg do
  local key = arg[i]:match("^%-%-(%a+)$")
  if key == "serve" then opt.serve = true
  elseif opt[key] and tonumber(arg[i + 1]) then opt[key] = tonumber(arg[i + 1])
  elseif not tonumber(arg[i]) then error("unknown argument " .. arg[i], 0) end
end

-- Each command is an argument array: no shell parses the request's text.
local commands = {
  upper = function(text) return { "tr", "a-z", "A-Z" }, text end,
  count = function(text) return { "wc", "-w" }, text end,
  sleep = function(text)
    return { "sh", "-c", 'sleep "$1" && echo "slept $1"', "sh", text }
  end,
}

-- Statistics that show the loop was never blocked by a waiting coroutine.
local stats = { answered = 0, ticks = 0, ticks_busy = 0, running = 0, most = 0 }

local function answer(line)
  local verb, text = line:match("^(%a+) ?(.*)$")
  local command = commands[verb]
  if not command then return "error: unknown command" end
  local cmd, input = command(text)
  stats.running = stats.running + 1
  stats.most = math.max(stats.most, stats.running)
  -- Suspends this coroutine until the child has finished.
  local r, msg = proc.run(cmd, { input = input, timeout = 10 })
  stats.running = stats.running - 1
  if not r then return "error: " .. msg end
  if not r.ok then return ("error: %s %d"):format(r.what, r.code) end
  return (r.stdout:gsub("^%s+", ""):gsub("%s+$", ""))
end

local server = assert(uv.new_tcp())
local timer = assert(uv.new_timer())
local deadline = assert(uv.new_timer())
local clients = {}

local function drop(client)
  clients[client] = nil
  if not client:is_closing() then client:close() end
end

local function stop()
  if server:is_closing() then return end
  server:close()
  timer:close()
  deadline:close()
  -- shutdown() first sends what is still queued, then the peer sees EOF.
  for client in pairs(clients) do
    client:shutdown(function() drop(client) end)
  end
end

-- One connection: lines are queued as they arrive and answered in order by
-- one coroutine, which ends when the queue is empty. A client may half-close
-- (as nc does at the end of its input): every line it sent is still
-- answered, a last one without its newline too, and then the server closes.
local function serve(client)
  clients[client] = true
  local pending, buffer, working, ended = {}, "", false, false
  local function finish()
    clients[client] = nil
    if not client:is_closing() then client:shutdown(function() drop(client) end) end
  end
  local function work()
    while #pending > 0 do
      local reply = answer(table.remove(pending, 1))
      if client:is_closing() then return end
      client:write(reply .. "\n")
      stats.answered = stats.answered + 1
      if stats.answered >= opt.requests then return stop() end
    end
    working = false
    if ended then finish() end
  end
  client:read_start(function(err, data)
    if err or #buffer > 65536 or server:is_closing() then
      return drop(client)
    end
    if data then
      buffer = buffer .. data
      for line in buffer:gmatch("([^\n]*)\n") do pending[#pending + 1] = line end
      buffer = buffer:match("[^\n]*$")
    else  -- end of the client's input; it may still read
      ended = true
      if buffer ~= "" then pending[#pending + 1], buffer = buffer, "" end
    end
    if not working and #pending > 0 then
      working = true
      coroutine.wrap(work)()  -- inside uv.run(): proc.run may suspend it
    elseif ended and not working then
      finish()
    end
  end)
end

assert(server:bind("127.0.0.1", opt.port))
assert(server:listen(64, function(err)
  assert(not err, err)
  local client = uv.new_tcp()
  server:accept(client)
  serve(client)
end))
print(("listening on 127.0.0.1:%d"):format(server:getsockname().port))
io.stdout:flush()

timer:start(10, 10, function()
  stats.ticks = stats.ticks + 1
  if stats.running > 0 then stats.ticks_busy = stats.ticks_busy + 1 end
end)
deadline:start(math.floor(opt.seconds * 1000), 0, stop)

-- The built-in client of the demonstration: three connections, each sending
-- its requests one after the other and printing the answers.
if not opt.serve then
  local requests = {
    { "upper hello from luv", "count one two three four", "sleep 0.2" },
    { "sleep 0.1", "upper $(not a shell); 'quotes' stay", "count" },
    { "upper third connection", "frobnicate", "count a b" },
  }
  opt.requests = 9
  for n, list in ipairs(requests) do
    local conn = uv.new_tcp()
    local i = 1
    conn:connect("127.0.0.1", server:getsockname().port, function(err)
      assert(not err, err)
      conn:write(list[i] .. "\n")
      conn:read_start(function(_, data)
        if not data then return conn:close() end
        for reply in data:gmatch("([^\n]*)\n") do
          print(("client %d: %-38s -> %s"):format(n, list[i], reply))
          i = i + 1
          if list[i] then conn:write(list[i] .. "\n") else conn:close() end
        end
      end)
    end)
  end
end

-- Returns once stop() has closed every handle. (Handles are closed from
-- inside the loop on purpose: with luv 1.44, a close that no later uv.run()
-- completes crashes the process at exit.)
uv.run()
print(("served %d requests; the timer ticked %d times, %d of them while " ..
  "commands ran; at most %d commands ran at once"):format(stats.answered,
  stats.ticks, stats.ticks_busy, stats.most))
