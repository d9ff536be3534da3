// The private libuv loop of a Lua state.
//
// Every Lua state that uses luaipc gets one libuv loop of its own, created
// on first use and closed when the state closes; luaipc never touches any
// other loop. libuv callbacks of luaipc never call Lua: they record what
// happened, and Lua code sees it once the loop has returned. So the loop is
// never re-entered, and no Lua error can unwind through libuv.
//
// Who runs the loop is decided by suspend.hpp: a blocking call runs it
// itself; a host event loop polls loop_fd() and calls step (ipc.loop); when
// luv is loaded, a luv poll handle and a luv timer do that (luv_driver.hpp).
#pragma once

#include <uv.h>

#include "lua.hpp"

namespace ipc {

struct loop_state {
  uv_loop_t* loop;      // null until first use
  uv_async_t wake;      // woken by threads (blocking.hpp); unreferenced
  uv_timer_t alarm;     // bounds a blocking run (deadline, interrupt checks)
  int busy;             // blocking jobs on threads whose results are awaited
  int dirty;            // events were recorded that a step has not delivered
  int writing;          // writes queued on the loop's pipes and not finished
  bool hosted;          // a host loop polls loop_fd() (ipc.loop, luv)
  bool stepping;        // inside a host's step, which delivers what it runs
  unsigned generation;  // the process generation the loop belongs to
};

// The loop state of L's Lua state; its libuv loop is created on first use.
// Returns nullptr and sets *err (an errno value) when the loop cannot be
// made: EMFILE when descriptors run out, never an abort. May raise a memory
// error.
loop_state* loop_of(lua_State* L, int* err);

// The loop state if it exists already and belongs to this process (not to
// the parent of a fork); never creates one, never raises.
loop_state* existing_loop(lua_State* L);

// Runs what is ready without blocking. Calls no Lua. A run outside a
// host's step that leaves events undelivered pokes the loop: the run took
// the readiness off the descriptor a host polls, and the host must still
// step to deliver them. run_once does the same.
void pump(loop_state* ls);

// pump() without a SIGPIPE guard of its own (platform/sigpipe.hpp): for a
// caller that already blocks SIGPIPE, as h:write does around its own
// writes and the run after them (one guard for both), and for pump() when
// no write is queued (a run then writes nothing).
void pump_guarded(loop_state* ls);

// Runs the loop until something happened or `seconds` passed (< 0: no
// limit). Calls no Lua.
void run_once(loop_state* ls, double seconds);

// Seconds until the loop's next timer, or < 0 when none; 0 when something
// is ready to run now, or recorded events wait for a step to deliver them.
double loop_timeout(loop_state* ls);

// The descriptor that becomes readable when the loop has something to do,
// or -1 where the platform has none.
int loop_fd(loop_state* ls);

// Whether the loop has work that keeps a host loop alive: active handles,
// awaited jobs, or recorded events not delivered yet.
bool loop_active(loop_state* ls);

// Makes the loop's descriptor readable, so that a host loop steps it soon
// (after a change made outside any loop run, such as a close). Thread-safe.
void poke(loop_state* ls);

// Seconds on the monotonic clock.
double monotonic_now();

}  // namespace ipc
