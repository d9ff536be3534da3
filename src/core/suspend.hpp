// The one way a call waits: h:wait(), proc.wait_any(), sem:dec() with a
// wait, filelock.lock() and what is built on them.
//
// A waiting call is a `wait_op`: a step function that tries to finish the
// call without blocking, called again each time something may have
// changed. Between steps, wait() decides how to let time pass:
//  - luv loaded and uv.run() running, in a coroutine: the coroutine
//    yields and the luv driver resumes it after the next step of the loop;
//  - luv loaded and uv.run() not running: uv.run("once") on luv's loop
//    (luaipc's loop is driven from there);
//  - luv loaded, uv.run() running, main thread (a luv callback): refused,
//    with an error that says to call from a coroutine;
//  - a scheduler set with ipc.loop.scheduler(fn), in a coroutine: fn(fd,
//    timeout) suspends the coroutine in the host's scheduler;
//  - otherwise: the private loop runs here until something happens.
// Blocking runs wake at least every 0.1 s to notice an interrupt (Ctrl-C
// in the standalone interpreter), which then raises "interrupted!".
#pragma once

#include "loop.hpp"
#include "lua.hpp"

namespace ipc {

// Results of a step besides a count of results (>= 0).
constexpr int step_wait = -1;  // nothing to do now: wait for the loop
constexpr int step_again =
    -2;  // progress was made (a callback ran): step again

struct wait_op {
  // Stack slots from `base` on belong to wait(); the call's own arguments
  // and values sit below.
  int base;
  // Tries to finish the call. Results are pushed above base + 2.
  int (*step)(lua_State* L, loop_state* ls);
  // Pushes the results of a call whose deadline has passed.
  int (*expired)(lua_State* L);
  // Undoes a call abandoned by an error of the scheduler function (a job
  // on a thread that must not take a post or a lock any more). May be null.
  void (*abandon)(lua_State* L);
  // True for calls that block their thread as in a plain script where they
  // cannot suspend (sem:dec, filelock.lock: from a luv callback on the main
  // thread, or while luv is loaded but its loop is not running), instead
  // of running luv's loop or refusing.
  bool plain_block;
  // What a suspended call waits for, as the luv driver tells it from other
  // waits: the driver resumes the call only once the key is reported
  // ready (see blocking.hpp) or its deadline passed, instead of after every
  // step. Null: resumed after every step of the loop.
  const void* (*key)(lua_State* L) = nullptr;
};

// Waits as described above, at most `timeout` seconds (< 0: no limit).
// Use as `return ipc::wait(L, &op, timeout);`.
int wait(lua_State* L, const wait_op* op, double timeout);

// From a step: calls the function below the `nargs` values on top with no
// results, in a way that may yield; then return step_again.
void call_in_step(lua_State* L, int nargs, const wait_op* op);

// The scheduler function set by ipc.loop.scheduler, pushed; or nothing
// pushed and false.
bool push_scheduler(lua_State* L);
void set_scheduler(lua_State* L, int idx);

// True when a call of `op` made now from L would block its thread (it
// cannot suspend): such a call may as well block in the kernel (a plain
// sem:dec()).
bool wait_blocks_thread(lua_State* L, const wait_op* op);

// Raises "interrupted!" if a signal handler asked the interpreter to stop
// (lua.c sets a hook on its main thread) since `saved` was taken.
void check_interrupt(lua_State* L, lua_Hook saved);
lua_Hook main_hook(lua_State* L);

}  // namespace ipc
