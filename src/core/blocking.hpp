// Blocking system calls (a semaphore wait, a lock wait) run on threads of
// luaipc's own, so that a coroutine can wait for them without blocking its
// thread and without taking one of libuv's shared pool threads from the
// host. A finished job wakes its state's loop, whose descriptor then
// becomes readable: a host loop resumes the waiting coroutine as promptly
// as for any other event.
//
// A job is a module's struct whose first member is `blocking_job`. It is
// shared by its thread and by the waiting call: whichever of the two is
// last frees it. A waiting call that goes away (an error of the scheduler
// function, a collected coroutine, the state closing) abandons the job:
// its result, if it had one, is undone (a post given back, a lock
// released), so an abandoned wait never takes a later post or lock.
// Threads are detached: a state that closes while jobs run does not wait
// for them.
//
// A finished job also leaves its key (job_key) in a list of its state, so
// that the luv driver resumes only the coroutine whose job finished
// (take_ready_keys) instead of every waiting one.
#pragma once

#include <atomic>

#include "loop.hpp"
#include "lua.hpp"

namespace ipc {

struct wake_channel;

struct blocking_job {
  // Runs on the job's thread; sets the module's result fields. Must not
  // touch Lua. Should return within a fraction of a second once
  // `abandoned()` is true, where the call can wait in slices.
  void (*work)(blocking_job* job) = nullptr;
  // Undoes the result of a job whose caller has gone (may be null).
  void (*undo)(blocking_job* job) = nullptr;
  // Frees the job (its module knows its type).
  void (*destroy)(blocking_job* job) = nullptr;
  // Owned by blocking.cpp.
  std::atomic<int> state{0};
  wake_channel* channel = nullptr;
  bool abandoned() const;
};

// Starts `job` on a new thread of the loop `ls`, pushes a box that owns
// the waiting side (its __gc abandons the job) and returns 0; or returns
// an errno (the job is destroyed, nothing is pushed).
int start_job(lua_State* L, loop_state* ls, blocking_job* job);

// The job in the box at `idx` when its thread has finished, taken out of
// the box (the caller reads its result and calls finish_job); or null while
// it still runs. Raises if the box is empty.
blocking_job* finished_job(lua_State* L, int idx);

// Frees a job taken with finished_job.
void finish_job(lua_State* L, blocking_job* job);

// Abandons the job in the box at `idx`, if any.
void abandon_job(lua_State* L, int idx);

// The key the job in the box at `idx` reports when it finishes (null when
// the box is empty). Only compared, never followed: a key may outlive its
// job, and a later job may reuse it, which costs a needless resume.
const void* job_key(lua_State* L, int idx);

// Moves the keys of the jobs finished since the last call into the table
// at `idx` (t[1..n], the rest of t untouched) and returns n; sets
// *overflow when more finished than the list keeps (then any job may have
// finished).
int take_ready_keys(lua_State* L, int idx, bool* overflow);

}  // namespace ipc
