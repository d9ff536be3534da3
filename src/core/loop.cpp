// Which libuv loop, and who runs it (see loop.hpp).
#include "loop.hpp"

#include <new>

namespace ipc {

namespace {

constexpr const char* state_key = "ipc.loop";

// One per Lua state, anchored in the registry. Its __gc closes the private
// loop when the state closes; by then every handle of ours has been closed
// by its own finalizer (it was created later, so it is finalized first).
struct loop_state {
  uv_loop_t* priv;
  int priv_depth;
  int luv_depth;
};

void close_leftover(uv_handle_t* h, void*) {
  if (!uv_is_closing(h)) uv_close(h, nullptr);
}

int loop_state_gc(lua_State* L) {
  auto* st = static_cast<loop_state*>(lua_touserdata(L, 1));
  if (st->priv) {
    uv_walk(st->priv, close_leftover, nullptr);
    while (uv_loop_close(st->priv) == UV_EBUSY) uv_run(st->priv, UV_RUN_DEFAULT);
    delete st->priv;
    st->priv = nullptr;
  }
  return 0;
}

loop_state* state_of(lua_State* L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, state_key) == LUA_TUSERDATA) {
    auto* st = static_cast<loop_state*>(lua_touserdata(L, -1));
    lua_pop(L, 1);
    return st;
  }
  lua_pop(L, 1);
  auto* st = static_cast<loop_state*>(lua_newuserdatauv(L, sizeof(loop_state), 0));
  *st = loop_state{nullptr, 0, 0};
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, loop_state_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, state_key);
  return st;
}

}  // namespace

int current_loop(lua_State* L, loop_ref* out) {
  loop_state* st = state_of(L);
  if (luv_ctx_t* ctx = luv_context_of(L)) {
    *out = loop_ref{ctx->loop, ctx, &st->luv_depth};
    return 0;
  }
  if (!st->priv) {
    auto* loop = new (std::nothrow) uv_loop_t;
    if (!loop) return ENOMEM;
    int r = uv_loop_init(loop);
    if (r < 0) {
      delete loop;
      return -r;
    }
    st->priv = loop;
  }
  *out = loop_ref{st->priv, nullptr, &st->priv_depth};
  return 0;
}

void run_step(const loop_ref& ref, uv_run_mode mode) {
  ++*ref.depth;
  uv_run(ref.loop, mode);
  --*ref.depth;
}

bool loop_busy(const loop_ref& ref) {
  return *ref.depth > 0 || (ref.luv && ref.luv->mode != -1);
}

double monotonic_now() { return static_cast<double>(uv_hrtime()) / 1e9; }

}  // namespace ipc
