-- Child program for the proc specs: copies stdin to stdout line by line,
-- writing "line N" to stderr for each one, then exits with the status given
-- as the first argument (default 0).
local n = 0
for line in io.lines() do
  n = n + 1
  io.stdout:write(line, "\n")
  io.stdout:flush()
  io.stderr:write("line ", n, "\n")
end
os.exit(tonumber(arg[1]) or 0)
