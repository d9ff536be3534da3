// luaipc inside a luv program: luaipc's loop is driven from luv's loop
// through luv's public Lua API only (lua/ipc/face/luv.lua), never by
// touching luv's uv_loop_t or its C structures, so any luv build works
// (Debian's with the shared libuv, LuaRocks' and luvit's with their own).
#pragma once

#include "lua.hpp"

namespace ipc {

// True when luv is loaded in this state ("luv", or "uv" as luvit names it).
bool luv_loaded(lua_State* L);

// Makes sure luv's poll handle and timer drive this state's loop; may
// raise (a memory error, or luv's own error).
void luv_attach(lua_State* L);

// Re-arms luv's timer and the handles' references after the loop changed
// (a spawn, a timer, a close). Does nothing when luv is not attached.
void luv_sync(lua_State* L);

// True while uv.run() is running.
bool luv_running(lua_State* L, bool main_thread);

// The running coroutine L waits in a luaipc call until `deadline`
// (monotonic seconds, < 0: none): the driver resumes it after each step,
// or, with a `key`, only after a step that found the key ready (see
// blocking.hpp) and once the deadline has passed.
void luv_suspend(lua_State* L, double deadline, const void* key);
// The wait of L has ended.
void luv_done(lua_State* L);

// Runs luv's loop once (uv.run("once")), returning after `seconds` at most.
void luv_block(lua_State* L, double seconds);

}  // namespace ipc
