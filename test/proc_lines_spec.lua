-- proc.lines(cmd [, options [, ...]]) and the hand-off of a pulled stream
-- to another child (options.stdin = other:stdout()).
local proc = require "ipc.proc"

-- A child Lua running `code`.
local lua = H.lua_argv
local YES = lua("while true do print('y') end")

describe("proc.lines", function()
  H.check_process_leaks(proc)
  after_each(H.cleanup)

  it("iterates over the child's stdout with io.lines' formats", function()
    local got = {}
    for l in proc.lines(lua("io.write('a\\nb\\n\\nc')")) do got[#got + 1] = l end
    assert.same({ "a", "b", "", "c" }, got)
    got = {}
    for a, b in proc.lines(lua("for i = 1, 5 do print(i) end"), nil, "n", "n") do
      got[#got + 1] = a .. ":" .. tostring(b)
    end
    assert.same({ "1:2", "3:4", "5:nil" }, got)
    got = {}
    for l in proc.lines(lua("io.write(os.getenv('A'), '\\ny')"), { env = { A = "x" } }, "L") do
      got[#got + 1] = l
    end
    assert.same({ "x\n", "y" }, got)
  end)

  it("returns four values, the last a to-be-closed handle", function()
    local t = table.pack(proc.lines(lua("print('hi')")))
    assert.equal(4, t.n)
    assert.equal("function", type(t[1]))
    assert.is_nil(t[2])
    assert.is_nil(t[3])
    assert.equal("ipc.proc", tostring(t[4]):match("^(%S+)"))
    assert.equal("hi", t[1]())
    assert.is_nil(t[1]())
    t[4]:close()
  end)

  it("kills and reaps the child on break and on error", function()
    local h
    for l, _, _, hh in (function()
      local it, a, b, c = proc.lines(YES)
      h = c
      return it, a, b, c
    end)() do
      assert.equal("y", l)
      break
    end
    assert.equal("ipc.proc (closed)", tostring(h))
    local ok, err = pcall(function()
      for _ in proc.lines(YES) do error("stop here") end
    end)
    assert.is_false(ok)
    assert.matches("stop here", err)
    -- check_process_leaks: no zombie, no descriptor left
  end)

  it("raises at the end for a failed command unless check is false", function()
    local fails = lua("print('x'); os.exit(4)")
    local ok, err = pcall(function() for _ in proc.lines(fails) do end end)
    assert.is_false(ok)
    assert.matches(table.concat(fails, " ") .. ": exit 4", err, 1, true)
    local waits = lua("print('x'); io.stdout:flush(); require('system').sleep(30)")
    ok, err = pcall(function()
      local it, _, _, h = proc.lines(waits)
      for _ in it do assert(h:kill("kill")) end
    end)
    assert.is_false(ok)
    assert.matches(table.concat(waits, " ") .. ": signal 9", err, 1, true)
    local got = {}
    for l in proc.lines(lua("print('ok'); os.exit(4)"), { check = false }) do got[#got + 1] = l end
    assert.same({ "ok" }, got)
    for _ in proc.lines(lua(""), { check = true }) do end
  end)

  it("ends like io.lines when a format fails before the end, without a status check", function()
    local got = {}
    for n in proc.lines(lua("print('1 2 oops 3'); os.exit(7)"), nil, "n") do got[#got + 1] = n end
    assert.same({ 1, 2 }, got)
    for _ in proc.lines(lua("print('text'); while true do print('y') end"), nil, "n") do
      error("no number")
    end
  end)

  it("rejects what it cannot honour, and check for anything but lines", function()
    H.raises("bad argument #2 to 'lines' (options.callback", proc.lines, "true",
      { callback = print })
    H.raises("options.stdout", proc.lines, "true", { stdout = false })
    H.raises("unknown option 'stdotu'", proc.lines, "true", { stdotu = true })
    H.raises("bad argument #1 to 'lines'", proc.lines, 42)
    H.raises("invalid format", proc.lines, "true", nil, "x")
    H.raises("unknown option 'check'", proc.spawn, "true", { check = false })
    H.raises("unknown option 'check'", proc.run, "true", { check = false })
    H.raises("nosuchprog", proc.lines, { "nosuchprog" })
  end)

  it("reads from a coroutine under a scheduler", function()
    local out = H.in_child([[
      local proc = require "ipc.proc"
      require("ipc.loop").scheduler(function(fd, t) coroutine.yield() end)
      local co = coroutine.wrap(function()
        local t = {}
        for l in proc.lines(require("spec_helper").lua_argv(
          "require('system').sleep(0.1); for i = 1, 3 do print(i) end")) do
          t[#t + 1] = l
        end
        return table.concat(t, ",")
      end)
      local r
      repeat r = co() until r
      print(r)
    ]])
    assert.equal("1,2,3\n", out)
  end)
end)

describe("the hand-off of a pulled stream", function()
  H.check_process_leaks(proc)
  after_each(H.cleanup)

  it("connects two children directly, as a | b", function()
    if H.needs("stream_handoff") then return end
    local a = assert(proc.spawn({ "printf", "b\\nc\\na\\n" }, { stdout = true }))
    local s = a:stdout()
    local b = assert(proc.spawn({ "sort" }, { stdin = s, stdout = true }))
    assert.equal("ipc.proc.stream (closed)", tostring(s))
    assert.equal("a\nb\nc\n", b:read("a"))
    assert.same({ true, "exit", 0 }, { a:wait() })
    assert.same({ true, "exit", 0 }, { b:wait() })
    a:close()
    b:close()
  end)

  it("passes large outputs and stderr, and chains", function()
    if H.needs("stream_handoff") then return end
    local a = assert(proc.spawn("head -c 3000000 /dev/zero >&2", { stderr = true }))
    local b = assert(proc.spawn({ "cat" }, { stdin = a:stderr(), stdout = true }))
    local c = assert(proc.spawn({ "wc", "-c" }, { stdin = b:stdout(), stdout = true }))
    assert.equal("3000000", c:read("l"):match("%d+"))
    for _, h in ipairs { a, b, c } do
      assert.same({ true, "exit", 0 }, { h:wait() })
      h:close()
    end
  end)

  it("gives the new child a blocking stdin", function()
    if H.needs("stream_handoff") then return end
    local a = assert(proc.spawn({ "sh", "-c", "sleep 0.2; echo late" }, { stdout = true }))
    local b = assert(proc.spawn({ H.LUA, "-e", "io.write(io.read('a'))" },
      { stdin = a:stdout(), stdout = true }))
    assert.equal("late\n", b:read("a"))
    assert.same({ true, "exit", 0 }, { b:wait() })
    a:wait()
    a:close()
    b:close()
  end)

  it("refuses a stream that was read from, closed, or not for stdin", function()
    if H.needs("stream_handoff") then return end
    local a = assert(proc.spawn({ "printf", "x\\ny\\n" }, { stdout = true }))
    assert.equal("x", a:read("l"))
    H.raises("already read from", proc.spawn, { "cat" }, { stdin = a:stdout() })
    local w = assert(proc.spawn({ "echo", "z" }, { stdout = true }))
    w:wait()
    H.raises("already read from", proc.spawn, { "cat" }, { stdin = w:stdout() })
    local c = assert(proc.spawn({ "echo", "z" }, { stdout = true }))
    local s = c:stdout()
    s:close()
    H.raises("closed stream", proc.spawn, { "cat" }, { stdin = s })
    local d = assert(proc.spawn({ "echo", "z" }, { stdout = true }))
    H.raises("options.stdout", proc.spawn, { "cat" }, { stdout = d:stdout() })
    H.raises("options.stderr", proc.spawn, { "cat" }, { stderr = d:stdout() })
    -- A failed spawn leaves the stream as it was.
    assert.is_nil(proc.spawn({ "nosuchprog" }, { stdin = d:stdout() }))
    assert.equal("z", d:read("l"))
    for _, h in ipairs { a, w, c, d } do h:wait(); h:close() end
  end)
end)
