// Blocking calls on libuv's thread pool while luv's loop runs (see
// pool.hpp). Each Lua state has one pool_state, allocated and reached
// through a registry sentinel whose __gc runs when the state closes: jobs
// that finish after that (luv's own finalizer runs the loop one last time)
// are only cleaned up, Lua is not touched any more.
#include "pool.hpp"

#include <atomic>
#include <new>

#include "luv.hpp"
#include "status.hpp"

namespace ipc {

struct pool_state {
  int pending;                 // jobs queued and not yet cleaned up
  std::atomic<bool> closing;   // the state is closing: no more Lua calls
};

namespace {

const char state_key = 0;  // its address is the registry key

// __gc of the registry sentinel: the Lua state is closing.
int state_gc(lua_State* L) {
  auto** box = static_cast<pool_state**>(lua_touserdata(L, 1));
  pool_state* st = *box;
  *box = nullptr;
  if (st) {
    st->closing = true;
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
  auto* st = new (std::nothrow) pool_state{0, {false}};
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

void after_work(uv_work_t* req, int status) {
  (void)status;  // jobs are never cancelled
  auto* job = static_cast<pool_job*>(req->data);
  pool_state* st = job->state;
  st->pending--;
  job->done = true;
  if (st->closing) {
    job->orphaned = true;
    job->cleanup(job);
    if (st->pending == 0) delete st;
    return;
  }
  lua_State* L = job->main;
  int co_ref = job->co_ref, anchor_ref = job->anchor_ref;
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

int await_pool(lua_State* L, pool_job* job, int anchor) {
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
  return lua_yieldk(L, 0, reinterpret_cast<lua_KContext>(job), continue_k);
}

}  // namespace ipc
