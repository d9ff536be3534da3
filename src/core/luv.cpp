// Access to luv's context (see luv.hpp).
#include "luv.hpp"

#include <cstdio>

namespace ipc {
namespace {

// Runs in the protected call that reports an error of a resumed coroutine:
// arguments are the error object and the coroutine.
int rethrow(lua_State* L) {
  lua_State* co = lua_tothread(L, 2);
  const char* msg = luaL_tolstring(L, 1, nullptr);
  luaL_traceback(L, co, msg, 0);
  return lua_error(L);
}

// The error object is on top of `co`, which ended with an error.
void report_error(lua_State* L, lua_State* co) {
  lua_pushcfunction(L, rethrow);
  lua_xmove(co, L, 1);
  lua_pushthread(co);
  lua_xmove(co, L, 1);
  luv_ctx_t* ctx = luv_context_of(L);
  if (ctx && ctx->cb_pcall) {
    // The message already holds the coroutine's traceback, which says more
    // than the traceback of this call would.
    ctx->cb_pcall(L, 2, 0, LUVF_CALLBACK_NOTRACEBACK);
  } else if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
    std::fprintf(stderr, "Uncaught Error: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
  }
}

}  // namespace

luv_ctx_t* luv_context_of(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "luv_context");
  auto* ctx = static_cast<luv_ctx_t*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return ctx && ctx->loop ? ctx : nullptr;
}

bool luv_running(lua_State* L) {
  luv_ctx_t* ctx = luv_context_of(L);
  return ctx && ctx->mode != -1;
}

bool luv_can_suspend(lua_State* L) {
  if (!lua_isyieldable(L)) return false;
  luv_ctx_t* ctx = luv_context_of(L);
  return ctx && ctx->mode != -1 && ctx->L != L;
}

void luv_resume(lua_State* from, lua_State* co) {
  if (lua_status(co) != LUA_YIELD || !lua_checkstack(from, 4)) return;
  int nres = 0;
  int rc = lua_resume(co, from, 0, &nres);
  if (rc == LUA_OK || rc == LUA_YIELD)
    lua_pop(co, nres);
  else
    report_error(from, co);
}

namespace {

// The placeholder uv.walk() sees for our handles (one per Lua state).
const char standin_source[] = R"lua(
local methods = {}
function methods.is_closing() return true end
function methods.is_active() return true end
function methods.close() end
function methods.ref() end
function methods.unref() end
function methods.has_ref() return true end
function methods.get_type() return "ipc", -1 end
return setmetatable({}, {
  __index = methods,
  __tostring = function() return "ipc handle (managed by luaipc)" end,
})
)lua";

}  // namespace

void luv_walk_standin(lua_State* L, luv_ctx_t* ctx, luv_handle_t* out) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, "ipc.walk_ref") != LUA_TNUMBER) {
    lua_pop(L, 1);
    if (luaL_loadbuffer(L, standin_source, sizeof standin_source - 1,
                        "=ipc.walk") != LUA_OK)
      lua_error(L);
    lua_call(L, 0, 1);
    lua_pushinteger(L, luaL_ref(L, LUA_REGISTRYINDEX));
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "ipc.walk_ref");
  }
  out->ref = static_cast<int>(lua_tointeger(L, -1));
  lua_pop(L, 1);
  out->callbacks[0] = out->callbacks[1] = LUA_NOREF;
  out->ctx = ctx;
  out->extra = nullptr;
  out->extra_gc = nullptr;
}

}  // namespace ipc
