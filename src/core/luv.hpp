// Access to luv, when a program has loaded it into the same Lua state.
// luv keeps its context (loop, main thread, callback runner, run mode) as a
// full userdata under the registry key "luv_context"; the layout is luv's
// public luv_ctx_t. We read it without linking to luv, so luaipc works
// with or without luv and always shares the process's one libuv.
#pragma once

#include <uv.h>

#include "lua.hpp"

#ifdef IPC_HAVE_LUV_H
extern "C" {
#include <luv/lhandle.h>
#include <luv/luv.h>
}
#else
#error "luv/luv.h (Debian: lua-luv-dev) is required"
#endif

namespace ipc {

// luv's context, or nullptr when luv is not loaded in this state.
luv_ctx_t* luv_context_of(lua_State* L);

// True when luv is loaded and its uv.run() is running right now.
bool luv_running(lua_State* L);

// True when the caller may suspend: running in a coroutine (not the main
// thread) that can yield, while luv's loop is running.
bool luv_can_suspend(lua_State* L);

// Resumes `co`, suspended in a yield, from the loop's thread `from` with no
// values, and drops whatever it returns or yields next (nobody is there to
// receive it). An error that ends the coroutine is reported the way luv
// reports errors in its callbacks, through the program's callback runner
// (by default "Uncaught Error: ..." with the coroutine's traceback, then
// exit). Does nothing when `co` is not suspended in a yield (the program
// closed it meanwhile).
void luv_resume(lua_State* from, lua_State* co);

// luv's uv.walk() (and its loop teardown) takes the data of every handle on
// its loop for one of its own luv_handle_t, and aborts on anything else. A
// libuv handle of ours on luv's loop therefore points its data at a struct
// whose first member is this stand-in: walk then passes a small placeholder
// object whose is_closing() is true and whose close() does nothing, so the
// usual shutdown loop leaves our handles to us. May raise a memory error.
void luv_walk_standin(lua_State* L, luv_ctx_t* ctx, luv_handle_t* out);

}  // namespace ipc
