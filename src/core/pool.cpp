// Blocking calls on libuv's thread pool while luv's loop runs (see
// pool.hpp). Each Lua state has one pool_state, allocated and reached
// through a registry sentinel whose __gc runs when the state closes: jobs
// that finish after that (luv's own finalizer runs the loop one last time)
// are only cleaned up, Lua is not touched any more.
#include "pool.hpp"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <new>

#include "luv.hpp"
#include "status.hpp"

namespace ipc {

struct pool_state {
  int pending;                 // jobs queued and not yet cleaned up
  std::atomic<bool> closing;   // the state is closing: no more Lua calls
  pool_job* jobs;              // the pending jobs, linked by prev/next
};

namespace {

const char state_key = 0;  // its address is the registry key

void link_job(pool_state* st, pool_job* job) {
  job->prev = nullptr;
  job->next = st->jobs;
  if (st->jobs) st->jobs->prev = job;
  st->jobs = job;
}

void unlink_job(pool_state* st, pool_job* job) {
  if (job->prev)
    job->prev->next = job->next;
  else
    st->jobs = job->next;
  if (job->next) job->next->prev = job->prev;
  job->prev = job->next = nullptr;
}

// __gc of the registry sentinel: the Lua state is closing. Jobs still in
// the queue are wanted by nobody now: they are cancelled (luv's finalizer
// runs the loop, which cleans them up), so that closing does not wait for
// pool threads to become free. Deadline timers are left to luv's finalizer,
// which closes every handle of its loop; from here on they find no job.
int state_gc(lua_State* L) {
  auto** box = static_cast<pool_state**>(lua_touserdata(L, 1));
  pool_state* st = *box;
  *box = nullptr;
  if (st) {
    st->closing = true;
    for (pool_job* j = st->jobs; j; j = j->next) {
      if (j->deadline_cell) *j->deadline_cell = nullptr;
      j->deadline_cell = nullptr;
      uv_cancel(reinterpret_cast<uv_req_t*>(&j->req));
    }
    if (st->pending == 0) delete st;
  }
  return 0;
}

// The pool_state of this Lua state, created on first use. The sentinel is
// made after luv was loaded, so that during lua_close its finalizer runs
// before luv's loop finalizer (Lua finalizes in reverse order of creation).
pool_state* state_of(lua_State* L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &state_key) != LUA_TNIL) {
    pool_state* st = *static_cast<pool_state**>(lua_touserdata(L, -1));
    lua_pop(L, 1);
    return st;
  }
  lua_pop(L, 1);
  auto** box = static_cast<pool_state**>(
      lua_newuserdatauv(L, sizeof(pool_state*), 0));
  *box = nullptr;
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, state_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  auto* st = new (std::nothrow) pool_state{0, {false}, nullptr};
  if (!st) luaL_error(L, "not enough memory");
  *box = st;
  lua_rawsetp(L, LUA_REGISTRYINDEX, &state_key);
  return st;
}

void work_cb(uv_work_t* req) {
  auto* job = static_cast<pool_job*>(req->data);
  job->work(job);
}

// Resumes the coroutine waiting for `job`.
void resume_waiter(lua_State* L, pool_job* job) {
  if (!lua_checkstack(L, 1)) return;
  lua_rawgeti(L, LUA_REGISTRYINDEX, job->co_ref);
  lua_State* co = lua_tothread(L, -1);
  lua_pop(L, 1);  // co_ref keeps it alive
  if (co) luv_resume(L, co);
}

// The deadline timers are luv timers, made through luv's own Lua API, so
// that they are ordinary handles of luv's loop: uv.walk() lists them and
// luv's finalizer closes them (a bare uv_timer_t there would crash both).
const char deadline_key = 0;  // its address is the registry key

const char deadline_source[] = R"lua(
local uv = ...
return function(ms, callback)
  local timer = uv.new_timer()
  timer:start(ms, 0, callback)
  return timer
end, function(timer)
  if not timer:is_closing() then timer:close() end
end
)lua";

// Pushes deadline helper `which` (1: start(ms, callback) -> timer, 2:
// stop(timer)) and returns true, or pushes nothing and returns false. Only
// with `make` may it build the helpers (and raise a memory error).
bool push_deadline_helper(lua_State* L, int which, bool make) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &deadline_key) != LUA_TTABLE) {
    lua_pop(L, 1);
    if (!make) return false;
    if (luaL_loadbufferx(L, deadline_source, sizeof deadline_source - 1,
                         "=ipc.pool", "t") != LUA_OK) {
      lua_pop(L, 1);
      return false;
    }
    // luv is "luv" to require, or "uv" where it is built in (luvit).
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, "luv") != LUA_TTABLE) {
      lua_pop(L, 1);
      lua_getfield(L, -1, "uv");
    }
    lua_remove(L, -2);
    if (lua_pcall(L, 1, 2, 0) != LUA_OK) {
      lua_pop(L, 1);
      return false;
    }
    lua_createtable(L, 2, 0);  // start, stop, helpers
    lua_insert(L, -3);
    lua_rawseti(L, -3, 2);
    lua_rawseti(L, -2, 1);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &deadline_key);
  }
  lua_rawgeti(L, -1, which);
  lua_remove(L, -2);
  return true;
}

// The deadline of a job passed: if no pool thread has taken it yet, it
// leaves the queue and after_work runs with UV_ECANCELED; if it is running
// (uv_cancel says UV_EBUSY), it ends at the same deadline by itself.
int on_deadline(lua_State* L) {
  auto** cell = static_cast<pool_job**>(lua_touserdata(L, lua_upvalueindex(1)));
  if (*cell) uv_cancel(reinterpret_cast<uv_req_t*>(&(*cell)->req));
  return 0;
}

// Starts the deadline timer of `job`, `timeout` seconds from now. When
// that fails, the job goes without: it still ends at its deadline once a
// pool thread takes it.
void start_deadline(lua_State* L, uv_loop_t* loop, pool_job* job,
                    double timeout) {
  if (!lua_checkstack(L, 6) || !push_deadline_helper(L, 1, true)) return;
  // The loop's clock is cached and counts whole milliseconds: refresh it
  // and round up, so that the timer never fires before the deadline.
  uv_update_time(loop);
  lua_pushinteger(L, static_cast<lua_Integer>(std::ceil(timeout * 1000.0)) + 1);
  auto** cell = static_cast<pool_job**>(lua_newuserdatauv(L, sizeof(pool_job*), 0));
  *cell = job;
  lua_pushcclosure(L, on_deadline, 1);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    lua_pop(L, 1);
    return;
  }
  job->timer_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  job->deadline_cell = cell;
}

// Closes the deadline timer of `job`, if it has one (the program may have
// closed it already, e.g. from uv.walk()).
void stop_deadline(lua_State* L, pool_job* job) {
  if (job->deadline_cell) *job->deadline_cell = nullptr;
  job->deadline_cell = nullptr;
  if (job->timer_ref == LUA_NOREF) return;
  if (lua_checkstack(L, 3) && push_deadline_helper(L, 2, false)) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, job->timer_ref);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) lua_pop(L, 1);
  }
  luaL_unref(L, LUA_REGISTRYINDEX, job->timer_ref);
  job->timer_ref = LUA_NOREF;
}

void after_work(uv_work_t* req, int status) {
  auto* job = static_cast<pool_job*>(req->data);
  pool_state* st = job->state;
  st->pending--;
  unlink_job(st, job);
  job->done = true;
  job->cancelled = status == UV_ECANCELED;
  if (st->closing) {
    job->orphaned = true;
    job->cleanup(job);
    if (st->pending == 0) delete st;
    return;
  }
  lua_State* L = job->main;
  int co_ref = job->co_ref, anchor_ref = job->anchor_ref;
  stop_deadline(L, job);
  resume_waiter(L, job);
  job->cleanup(job);  // while the anchor still keeps the handle alive
  luaL_unref(L, LUA_REGISTRYINDEX, anchor_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, co_ref);
}

// The continuation of the yield in await_pool. A resume by anyone else
// while the job is still running (a scheduler that resumes blindly) just
// yields again.
int continue_k(lua_State* L, int status, lua_KContext ctx) {
  (void)status;
  auto* job = reinterpret_cast<pool_job*>(ctx);
  if (!job->done) return lua_yieldk(L, 0, ctx, continue_k);
  return job->finish(L, job);
}

}  // namespace

bool pool_cancelled(const pool_job* job) {
  return job->state->closing.load(std::memory_order_relaxed);
}

int await_pool(lua_State* L, pool_job* job, int anchor, double timeout) {
  anchor = lua_absindex(L, anchor);
  luv_ctx_t* ctx = luv_context_of(L);
  pool_state* st = state_of(L);
  lua_pushthread(L);
  job->co_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, anchor);
  job->anchor_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  job->state = st;
  job->main = ctx->L;
  job->done = false;
  job->req.data = job;
  int rc = uv_queue_work(ctx->loop, &job->req, work_cb, after_work);
  if (rc != 0) {
    luaL_unref(L, LUA_REGISTRYINDEX, job->anchor_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, job->co_ref);
    job->cleanup(job);
    return push_failure(L, uv_strerror(rc), -rc);
  }
  st->pending++;
  link_job(st, job);
  if (timeout >= 0) start_deadline(L, ctx->loop, job, timeout);
  return lua_yieldk(L, 0, reinterpret_cast<lua_KContext>(job), continue_k);
}

}  // namespace ipc
