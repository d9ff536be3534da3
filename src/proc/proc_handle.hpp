// The process handle of ipc.proc and the delivery of what its engine
// recorded (delivery.cpp), shared by the methods (proc.cpp).
#pragma once

#include "../core/handle.hpp"
#include "../core/loop.hpp"
#include "engine.hpp"

namespace ipc::proc {

constexpr int uv_callback = 1;    // user value: options.callback
constexpr int uv_stdin_keep = 2;  // user value: stdin strings not yet sent

struct proc_handle {
  handle base;
  child* core;     // null once the handle is released
  loop_state* ls;  // the loop it runs on
  lua_Integer pid;
  bool done;      // final status known
  bool luv_mode;  // delivered by the loop's step, anchored while running
  bool has_stdin;
  bool pulled[3];  // stdout/stderr: a pipe read through h:stdout()/h:stderr()
  bool eof_sent;
  bool timed_out;
  bool status_lost;
  bool detached;  // options.detach: never waited for, never killed
  int64_t status;
  int signal;
  int self_ref;         // luv mode: keeps the handle alive while the child runs
  uint64_t seq_queued;  // stdin strings queued so far
  uint64_t seq_cleared;  // stdin strings dropped from the keep table
  size_t appended;       // bytes h:write appended to the queue since a run
  unsigned appends;      // and the calls that did
};

// Pushes what h:wait() returns for a finished child.
int push_status(lua_State* L, const proc_handle* p);
// Records the child's end in the handle.
void copy_status(proc_handle* p, const child* c);
// Drops the anchor of a luv handle.
void unanchor(lua_State* L, proc_handle* p);
// Pushes the callback and arguments of the next recorded event of the
// handle at `idx`; returns the number of arguments, or -1 (none).
int push_event(lua_State* L, int idx, proc_handle* p);
// Drops the kept stdin strings that the engine no longer needs.
void clear_kept(lua_State* L, int idx, proc_handle* p);
// Records the end of the child's run once it is finished; true if so.
bool settle_if_finished(lua_State* L, int idx, proc_handle* p);
// The set of live handles the loop's step delivers for (weak keys).
void add_live(lua_State* L, int idx);
void forget_live(lua_State* L, int idx);
// The loop's step: delivers every live handle's events (core/step.hpp).
void deliver_all(lua_State* L);

}  // namespace ipc::proc
