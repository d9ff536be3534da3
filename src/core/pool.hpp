// Blocking calls inside a luv program: a coroutine that would block (a
// semaphore wait, a file lock) hands the call to libuv's thread pool on
// luv's loop and yields; when the call has finished, the loop's thread
// resumes the coroutine with the results. The loop keeps serving everything
// else meanwhile. Only use it when luv_can_suspend(L) is true.
//
// A job is a module's struct whose first member is `pool_job`, allocated by
// the module and owned by this file from await_pool on: `work` runs on a
// pool thread and must not touch Lua; `finish` runs in the resumed
// coroutine and pushes the results of the suspended C function; `cleanup`
// runs on the loop's thread once the coroutine has taken the results (or
// was found dead, or the Lua state is closing), releases what the job holds
// and frees the job; it must not touch Lua either.
//
// libuv's pool has UV_THREADPOOL_SIZE threads (4 by default), shared with
// luv's own file system calls. A job waits in the queue while they are all
// busy; a job with a timeout is taken out of the queue when its time is up
// (`cancelled`), so a timed wait ends on time even then. Callers should try
// their operation without waiting before they queue a job.
#pragma once

#include <uv.h>

#include "lua.hpp"

namespace ipc {

struct pool_state;

struct pool_job {
  uv_work_t req;
  void (*work)(pool_job* job) = nullptr;
  int (*finish)(lua_State* L, pool_job* job) = nullptr;
  void (*cleanup)(pool_job* job) = nullptr;
  // Owned by the pool machinery.
  pool_state* state = nullptr;
  lua_State* main = nullptr;
  int co_ref = LUA_NOREF;
  int anchor_ref = LUA_NOREF;
  // The deadline of a job given a timeout: a luv timer (registry ref) and
  // the cell its callback reads the job from (cleared when the job ends).
  int timer_ref = LUA_NOREF;
  pool_job** deadline_cell = nullptr;
  pool_job* prev = nullptr;     // jobs pending in this state, for its close
  pool_job* next = nullptr;
  bool done = false;
  // Set before `finish`: the timeout passed before a pool thread took the
  // job, so `work` never ran.
  bool cancelled = false;
  // Set before `cleanup` when the Lua state has closed: Lua memory (the
  // anchored handle included) may be gone, so cleanup must not touch it.
  bool orphaned = false;
};

// Queues `job` and yields the running coroutine L; the value at stack index
// `anchor` (the handle or file the job uses) stays referenced until the job
// is cleaned up. Use as `return ipc::await_pool(L, job, 1);`. When the job
// cannot be queued, it is cleaned up and freed, and the failure triple is
// returned instead. With `timeout` >= 0 (seconds), a job that no pool
// thread has taken after that long is cancelled: `work` does not run, and
// `finish` sees `cancelled`; a job already running must end by itself by
// then.
int await_pool(lua_State* L, pool_job* job, int anchor, double timeout = -1);

// True once the Lua state that queued `job` is closing: nobody will take
// the results any more. A `work` that can wait in slices checks it between
// them, so that closing the state does not wait for an endless wait (luv's
// finalizer runs the loop until every queued job has finished).
bool pool_cancelled(const pool_job* job);

}  // namespace ipc
