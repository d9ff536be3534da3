// Which libuv loop, and who runs it.
// Without luv, every Lua state gets a private loop, created on first use,
// run only inside blocking calls such as h:wait(), and closed when the Lua
// state closes. When luv is loaded, handles live on luv's loop instead, and
// luv's uv.run() drives them. This is the only place that decides.
#pragma once

#include <uv.h>

#include "luv.hpp"

namespace ipc {

struct loop_ref {
  uv_loop_t* loop = nullptr;
  luv_ctx_t* luv = nullptr;  // set when `loop` is luv's loop
  int* depth = nullptr;      // how many of our own runs of `loop` are active
};

// Finds the loop for new handles of this state, creating the private loop
// on first use (that may raise a memory error). Returns 0 or an errno.
int current_loop(lua_State* L, loop_ref* out);

// Runs one step of the loop (UV_RUN_ONCE or UV_RUN_NOWAIT), counted as our
// own run so that a nested blocking wait can be refused.
void run_step(const loop_ref& ref, uv_run_mode mode);

// True when the loop is being run right now, by uv.run() or by us.
bool loop_busy(const loop_ref& ref);

// Seconds on the monotonic clock.
double monotonic_now();

}  // namespace ipc
