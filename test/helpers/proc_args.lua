-- Child program for the proc specs: writes its arguments to stdout, each
-- followed by a zero byte, so that any argument text can be compared.
for i = 1, #arg do io.write(arg[i], "\0") end
