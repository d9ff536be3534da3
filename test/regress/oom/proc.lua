-- Every method of process handles, proc.run and the loop's functions. A
-- run cut short by a memory error leaves its handles to the collector,
-- which kills and reaps their children.
local proc = require "ipc.proc"
local loop = require "ipc.loop"
local got = {}
local h <close> = assert(proc.spawn({ "cat" }, { stdin = true, stdout = true,
  callback = function(_, d) got[#got + 1] = d end }))
local _ = { h:write("hello ", 42, "\n"), h:pid(), h:timed_out(), h:kill("cont"),
  tostring(h), loop.pollfd(), loop.timeout(), loop.step() }
h:write(proc.EOF)
_ = { h:wait(), h:wait(0) }
local r = proc.run({ "sh", "-c", "echo out; echo err >&2; exit 3" }, { input = "x" })
_ = { r.stdout, proc.spawn({ "/nonexistent/program" }), proc.run("exit 0") }
