-- ipc.proc under cqueues: a small TCP server on 127.0.0.1 that answers each
-- request line by running a command, while a ticker keeps ticking. Every
-- connection is a coroutine of the controller; with ipc.cqueues loaded,
-- proc.run() in it suspends only that coroutine, so the controller keeps
-- serving the other connections and the ticker while the child runs.
--
--   LUA_CPATH='./build/?.so;;' LUA_PATH='./lua/?.lua;;' \
--     lua5.4 examples/cqueues_server.lua
--       demonstration: serves a few requests of its own built-in client
--   ... examples/cqueues_server.lua --serve [--port P] [--requests N]
--       serves other clients until N answers were given (default 100).
--
-- The protocol is the luv example's: "upper TEXT" -> TEXT in capitals
-- (tr), "count TEXT" -> number of words (wc -w), "sleep SECONDS" ->
-- "slept SECONDS". The first line printed is "listening on
-- 127.0.0.1:PORT"; the last one sums up what the server did.
local cqueues = require "cqueues"
local socket = require "cqueues.socket"
require "ipc.cqueues"
local proc = require "ipc.proc"

local opt = { port = 0, requests = 100 }
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

local cq = cqueues.new()
local server = assert(socket.listen("127.0.0.1", opt.port))
local _, _, port = assert(server:localname())
print(("listening on 127.0.0.1:%d"):format(port))
io.stdout:flush()
local done = false

-- One connection: lines answered in order, until the client half-closes
-- (every line received before is still answered) or the server is done.
local function serve(conn)
  conn:setmode("t", "t")
  for line in conn:lines("*l") do
    conn:write(answer(line) .. "\n")
    conn:flush()
    stats.answered = stats.answered + 1
    if stats.answered >= opt.requests then done = true end
  end
  conn:close()
end

cq:wrap(function()
  while not done do
    local conn = server:accept(0.05)
    if conn then cq:wrap(serve, conn) end
  end
  server:close()
end)

cq:wrap(function()
  while not done do
    cqueues.sleep(0.01)
    stats.ticks = stats.ticks + 1
    if stats.running > 0 then stats.ticks_busy = stats.ticks_busy + 1 end
  end
end)

-- The built-in client of the demonstration: three connections at once,
-- each sending its requests one after the other and printing the answers.
if not opt.serve then
  local requests = {
    { "upper hello from cqueues", "count one two three four", "sleep 0.2" },
    { "sleep 0.1", "upper $(not a shell); 'quotes' stay", "count" },
    { "upper third connection", "frobnicate", "count a b" },
  }
  opt.requests = 9
  local lines = {}
  for n, list in ipairs(requests) do
    cq:wrap(function()
      local conn = assert(socket.connect("127.0.0.1", port))
      conn:setmode("t", "t")
      for _, request in ipairs(list) do
        conn:write(request .. "\n")
        conn:flush()
        local reply = conn:read("*l")
        lines[#lines + 1] = ("client %d: %-38s -> %s"):format(n, request, reply)
      end
      conn:close()
    end)
  end
  assert(cq:loop())
  table.sort(lines)
  for _, l in ipairs(lines) do print(l) end
else
  assert(cq:loop())
end
print(("served %d requests; the ticker ticked %d times, %d of them while " ..
  "commands ran; at most %d commands ran at once"):format(stats.answered,
  stats.ticks, stats.ticks_busy, stats.most))
