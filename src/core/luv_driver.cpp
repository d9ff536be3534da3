// The C side of the luv driver (see luv_driver.hpp and
// lua/ipc/face/luv.lua): finds luv, loads the driver once per state and
// calls its functions.
#include "luv_driver.hpp"

#include <initializer_list>

#include "faces.hpp"
#include "ipc_faces.hpp"

namespace ipc {

int open_loop_core(lua_State* L);  // modules/loop.cpp

namespace {

const char driver_key = 0;  // its address is the registry key

// Pushes luv's module table, or nothing and returns false.
bool push_luv(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  for (const char* name : {"luv", "uv"}) {
    if (lua_getfield(L, -1, name) == LUA_TTABLE) {
      if (lua_getfield(L, -1, "new_poll") == LUA_TFUNCTION) {
        lua_pop(L, 1);
        lua_remove(L, -2);
        return true;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return false;
}

// Pushes the driver table (loading it on first use) and returns true; or
// pushes nothing and returns false when luv is not loaded.
bool push_driver(lua_State* L, bool create) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &driver_key) == LUA_TTABLE) return true;
  lua_pop(L, 1);
  if (!create || !push_luv(L)) return false;
  lua_pushcfunction(L, open_loop_core);
  lua_call(L, 0, 1);
  lua_insert(L, -2);
  call_face(L, faces::luv, "luv", 2);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &driver_key);
  return true;
}

// Calls driver.<name>(args...) with the `nargs` values on top; returns
// whether the driver exists (else the values are dropped).
bool call_driver(lua_State* L, const char* name, int nargs, int nres,
                 bool create) {
  if (!push_driver(L, create)) {
    lua_pop(L, nargs);
    return false;
  }
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
  lua_insert(L, -nargs - 1);
  lua_call(L, nargs, nres);
  return true;
}

}  // namespace

bool luv_loaded(lua_State* L) {
  if (!push_luv(L)) return false;
  lua_pop(L, 1);
  return true;
}

void luv_attach(lua_State* L) {
  call_driver(L, "attach", 0, 0, true);
}

void luv_sync(lua_State* L) {
  call_driver(L, "sync", 0, 0, false);
}

bool luv_running(lua_State* L, bool main_thread) {
  lua_pushboolean(L, main_thread);
  if (!call_driver(L, "running", 1, 1, true)) return false;
  bool r = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return r;
}

void luv_suspend(lua_State* L, double deadline, const void* key) {
  lua_pushthread(L);
  if (deadline >= 0)
    lua_pushnumber(L, deadline);
  else
    lua_pushnil(L);
  if (key)
    lua_pushlightuserdata(L, const_cast<void*>(key));
  else
    lua_pushnil(L);
  call_driver(L, "suspend", 3, 0, true);
}

void luv_done(lua_State* L) {
  lua_pushthread(L);
  call_driver(L, "done", 1, 0, false);
}

void luv_block(lua_State* L, double seconds) {
  lua_pushnumber(L, seconds);
  call_driver(L, "block", 1, 0, true);
}

}  // namespace ipc
