-- Each example under examples/ runs to completion, exits 0 and prints what
-- it promises. They run as a user would run them, from the repository root
-- in a child lua5.4, under timeout(1) so that a hang fails instead of
-- blocking the run.
require "spec_helper"

-- Runs `lua5.4 examples/<name> args...`; returns its stdout after
-- asserting it exited with status 0.
local function run_example(name, args)
  local err = H.tmpname()
  local p = assert(io.popen(("timeout -s KILL 60 %s examples/%s %s 2>%s")
    :format(H.LUA, name, args or "", err)))
  local out = p:read("a")
  local ok, what, code = p:close()
  local stderr = H.readfile(err)
  os.remove(err)
  assert(ok, ("examples/%s: %s %s\n%s%s"):format(name, what, code, out, stderr))
  return out
end

-- The lines of `out` printed with `prefix` as their first field, in order.
local function lines_of(out, prefix)
  local t = {}
  for line in out:gmatch("[^\n]+") do
    local rest = line:match("^" .. prefix .. "\t(.*)$")
    if rest then t[#t + 1] = rest end
  end
  return t
end

describe("examples", function()
  it("lines.lua", function()
    local out = run_example("lines.lua")
    assert.matches("digits in 1..1000:\t2893\n", out, 1, true)
    assert.matches("first of yes:\tmore\n", out, 1, true)
    assert.matches("failed command:\tfalse\tproc.lines: echo partial; exit 3: exit 3\n", out, 1, true)
    assert.matches("too early:\tnil\ttimeout\t110\nthen:\tlate\n", out, 1, true)
  end)

  it("pipeline.lua", function()
    local out = run_example("pipeline.lua")
    assert.matches("pear\t3\napple\t2\nfig\t1\n", out, 1, true)
    assert.matches("bytes through the pipeline:\t67108864\n", out, 1, true)
  end)

  it("plain.lua", function()
    local out = run_example("plain.lua")
    assert.matches("sort %-r:\tpear fig apple \texit\t0\n", out)
    for _, w in ipairs { "one", "two", "three" } do
      assert.matches("got " .. w, out)
    end
    assert.matches("stderr: input ended", out)
    assert.matches("status:\tnil\texit\t3\n", out)
    assert.matches("wait%(0%.2%):\tfalse\n", out)
    assert.matches("after kill:\tnil\tsignal\t15\n", out)
    assert.matches("sum of seq 5:\t15\n", out)
  end)

  it("parallel.lua", function()
    local out = run_example("parallel.lua", "3")
    for i = 1, 12 do
      assert.matches(("job %%s?%d: job %d done +exit %d%s\n"):format(i, i,
        i == 7 and 1 or 0, i == 7 and "  FAILED" or ""), out)
    end
    assert.matches("\n12 jobs, at most 3 at a time %(peak 3%)\n$", out)
  end)

  it("scheduler.lua", function()
    local out = run_example("scheduler.lua")
    for _, name in ipairs { "alpha", "beta", "gamma" } do
      assert.same({ name .. "-1", name .. "-2", name .. "-3", name .. "-4",
        "finished:\ttrue\texit\t0" }, lines_of(out, name))
    end
    assert.same({ "largest three:\t10 9 8" }, lines_of(out, "pipeline"))
    -- Interleaved: beta has printed before alpha finished, which running
    -- the jobs one after the other could not produce. (Whatever the
    -- timing, alpha's callback yields at least once before its wait ends,
    -- and beta's first turn comes in between.)
    assert.is_true(out:find("beta\tbeta-1", 1, true) <
      out:find("alpha\tfinished", 1, true))
    assert.matches("\nall jobs done\n$", out)
  end)

  it("luv_server.lua (demonstration with its own client)", function()
    local out = run_example("luv_server.lua")
    assert.matches("^listening on 127%.0%.0%.1:%d+\n", out)
    assert.matches("client 1: upper hello from luv%s+%-> HELLO FROM LUV\n", out)
    assert.matches("client 1: sleep 0%.2%s+%-> slept 0%.2\n", out)
    assert.matches("client 2: upper %$%(not a shell%); 'quotes' stay%s+%-> " ..
      "%$%(NOT A SHELL%); 'QUOTES' STAY\n", out)
    assert.matches("client 3: frobnicate%s+%-> error: unknown command\n", out)
    assert.matches("served 9 requests", out)
  end)

  it("luv_server.lua stops by itself after --seconds", function()
    local out = run_example("luv_server.lua", "--serve --seconds 0.3")
    assert.matches("^listening on 127%.0%.0%.1:%d+\nserved 0 requests", out)
  end)
end)
