// Access to luv's context (see luv.hpp).
#include "luv.hpp"

namespace ipc {

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

}  // namespace ipc
