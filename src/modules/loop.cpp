// ipc.loop: luaipc's own event loop, exposed so that any host loop can
// drive it: a descriptor to poll, the time until its next timer, a step
// that runs what is ready and delivers callbacks, and the scheduler
// function that lets blocking calls in coroutines suspend (core/suspend).
#include "../core/loop.hpp"

#include <cstring>

#include "../core/blocking.hpp"
#include "../core/luv_driver.hpp"
#include "../core/step.hpp"
#include "../core/suspend.hpp"
#include "../core/version.hpp"

namespace ipc {
namespace {

constexpr int max_deliveries = 4;
deliver_fn deliveries[max_deliveries];

loop_state* checked_loop(lua_State* L) {
  int err = 0;
  loop_state* ls = loop_of(L, &err);
  if (!ls)
    luaL_error(L, "cannot create the event loop: %s", std::strerror(err));
  return ls;
}

// loop.pollfd() -> integer | nil (no such descriptor on this platform)
int global_pollfd(lua_State* L) {
  loop_state* ls = checked_loop(L);
  ls->hosted = true;  // from now on a host may be waiting on it
  int fd = loop_fd(ls);
  if (fd < 0)
    lua_pushnil(L);
  else
    lua_pushinteger(L, fd);
  return 1;
}

// loop.timeout() -> seconds | nil (no timer pending)
int global_timeout(lua_State* L) {
  double t = loop_timeout(checked_loop(L));
  if (t < 0)
    lua_pushnil(L);
  else
    lua_pushnumber(L, t);
  return 1;
}

// loop.step() -> true
int global_step(lua_State* L) {
  step(L);
  luv_sync(L);
  lua_pushboolean(L, 1);
  return 1;
}

// loop.scheduler(fn | nil) -> true
int global_scheduler(lua_State* L) {
  if (!lua_isnoneornil(L, 1)) luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 1);
  set_scheduler(L, 1);
  lua_pushboolean(L, 1);
  return 1;
}

// For the luv driver: whether the loop has work that keeps uv.run() going.
int global_active(lua_State* L) {
  loop_state* ls = existing_loop(L);
  lua_pushboolean(L, ls && loop_active(ls));
  return 1;
}

int global_now(lua_State* L) {
  lua_pushnumber(L, monotonic_now());
  return 1;
}

// For the luv driver: one step without re-syncing (the driver does that).
int global_core_step(lua_State* L) {
  step(L);
  return 0;
}

// For the luv driver: core.ready(t) -> n, overflow. Moves the keys of the
// blocking jobs finished since the last call into t[1..n]; overflow: more
// finished than were kept, any waiting job may be done.
int global_core_ready(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  bool overflow = false;
  lua_pushinteger(L, take_ready_keys(L, 1, &overflow));
  lua_pushboolean(L, overflow);
  return 2;
}

const luaL_Reg functions[] = {
    {"pollfd", global_pollfd}, {"timeout", global_timeout},
    {"step", global_step},     {"scheduler", global_scheduler},
    {nullptr, nullptr},
};

const luaL_Reg core_functions[] = {
    {"pollfd", global_pollfd},  {"timeout", global_timeout},
    {"step", global_core_step}, {"active", global_active},
    {"now", global_now},        {"ready", global_core_ready},
    {nullptr, nullptr},
};

}  // namespace

void add_delivery(deliver_fn fn) {
  for (auto& d : deliveries) {
    if (d == fn) return;
    if (!d) {
      d = fn;
      return;
    }
  }
}

void step(lua_State* L) {
  loop_state* ls = checked_loop(L);
  ls->stepping = true;
  pump(ls);
  ls->stepping = false;
  ls->dirty = 0;
  for (deliver_fn d : deliveries)
    if (d) d(L);
}

int open_loop_core(lua_State* L) {
  luaL_newlib(L, core_functions);
  return 1;
}

}  // namespace ipc

IPC_EXPORT int luaopen_ipc_loop(lua_State* L) {
  luaL_newlib(L, ipc::functions);
  ipc::set_version(L);
  return 1;
}
