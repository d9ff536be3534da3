-- Loaded through LUA_INIT by `make test-gcstress`, in the test runner and in
-- every child lua5.4 it starts: a count hook runs a full garbage collection
-- every IPC_GCSTRESS VM instructions (default 1000), so an object that the
-- C++ side uses without keeping it reachable is collected at once and the
-- use-after-free shows up under the sanitizers, not months later. New
-- coroutines inherit the hook (lua_newthread copies it).
local every = tonumber(os.getenv("IPC_GCSTRESS")) or 1000
local collect = collectgarbage
debug.sethook(function() collect() end, "", every)
