// The handle lifecycle and class construction (see handle.hpp).
#include "handle.hpp"

#include <cinttypes>
#include <cstdint>
#include <cstdio>

#include "status.hpp"

namespace ipc {

int close_handle(handle* h) {
  auto release = h->release;
  h->release = nullptr;  // closed first: a failing release is not retried
  if (!release) return 0;
  if (h->pins > 0) {
    h->deferred = release;
    return 0;
  }
  return release(h);
}

void pin(handle* h) {
  h->pins++;
}

void unpin(handle* h) {
  if (h->pins > 0 && --h->pins == 0 && h->deferred) {
    auto release = h->deferred;
    h->deferred = nullptr;
    release(h);
  }
}

bool owned_here(const handle* h) {
  return h->generation == process_generation();
}

void raise_closed(lua_State* L) {
  luaL_error(L, "attempt to use a closed handle");
  __builtin_unreachable();
}

namespace {

// Returns argument `idx` as a handle of the calling function's class, or
// null.
handle* test_class(lua_State* L, int idx) {
  void* p = lua_touserdata(L, idx);
  if (!p || !lua_getmetatable(L, idx)) return nullptr;
  bool same = lua_rawequal(L, -1, lua_upvalueindex(1));
  lua_pop(L, 1);
  return same ? static_cast<handle*>(p) : nullptr;
}

// Like test_class, raising a type error instead of returning null.
handle* check_class(lua_State* L, int idx) {
  if (handle* h = test_class(L, idx)) return h;
  // The name stays alive in the metatable; popping it keeps `idx` (which
  // may be past the top) meaning what the caller passed.
  lua_getfield(L, lua_upvalueindex(1), "__name");
  const char* name = lua_tostring(L, -1);
  lua_pop(L, 1);
  luaL_typeerror(L, idx, name ? name : "ipc handle");
  return nullptr;
}

// h:close() -> true | nil, message, code
int meth_close(lua_State* L) {
  int err = close_handle(check_handle(L, 1));
  return push_result(L, err);
}

// __gc: release if not released yet, ignore errors (a finalizer cannot
// report them), never raise. A release deferred by a pin runs too (see
// handle.hpp). The class check keeps a metamethod called by hand on some
// other userdata from treating it as a handle.
int mm_gc(lua_State* L) {
  handle* h = test_class(L, 1);
  if (!h) return 0;
  auto release = h->release ? h->release : h->deferred;
  h->release = h->deferred = nullptr;
  h->pins = 0;
  if (release) release(h);
  return 0;
}

// __close (a <close> variable going out of scope): close, respecting pins,
// ignoring errors, never raising.
int mm_close(lua_State* L) {
  if (handle* h = test_class(L, 1)) close_handle(h);
  return 0;
}

// tostring(h) -> "ipc.<module> (0x...)" | "ipc.<module> (closed)"
int mm_tostring(lua_State* L) {
  handle* h = check_class(L, 1);
  lua_getfield(L, lua_upvalueindex(1), "__name");
  if (h->is_open()) {
    // Not %p: Windows' C runtime prints it without the 0x.
    char addr[2 + 2 * sizeof(uintptr_t) + 1];
    std::snprintf(addr, sizeof addr, "0x%" PRIxPTR,
                  reinterpret_cast<uintptr_t>(lua_topointer(L, 1)));
    lua_pushfstring(L, "%s (%s)", lua_tostring(L, -1), addr);
  } else
    lua_pushfstring(L, "%s (closed)", lua_tostring(L, -1));
  return 1;
}

const luaL_Reg metamethods[] = {
    {"__gc", mm_gc},
    {"__close", mm_close},
    {"__tostring", mm_tostring},
    {nullptr, nullptr},
};

}  // namespace

handle* check_handle(lua_State* L, int idx) {
  handle* h = check_class(L, idx);
  if (!h->is_open()) raise_closed(L);
  return h;
}

void new_class(lua_State* L, const char* name, const luaL_Reg* methods) {
  luaL_newmetatable(L, name);  // sets __name
  lua_pushvalue(L, -1);
  luaL_setfuncs(L, metamethods, 1);
  lua_newtable(L);  // __index; a class may replace the generic close
  lua_pushvalue(L, -2);
  lua_pushcclosure(L, meth_close, 1);
  lua_setfield(L, -2, "close");
  lua_pushvalue(L, -2);
  luaL_setfuncs(L, methods, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

}  // namespace ipc
