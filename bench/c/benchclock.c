/* A Lua module for the benchmark variants: clock.now() reads the monotonic
 * clock with nanosecond resolution, which neither os.clock (processor time of
 * this process only) nor os.time (whole seconds) offers; clock.cpu() is the
 * processor time (user + system) this process has used, in seconds, and
 * clock.children_cpu() that of its children waited for so far. It is a
 * separate module, not luv's uv.hrtime, because loading luv changes how
 * ipc.proc runs its processes. */
#include <lauxlib.h>
#include <lua.h>
#include <sys/resource.h>
#include <time.h>

static int clock_now(lua_State* L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec * 1e-9);
  return 1;
}

static double seconds(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

static int push_cpu(lua_State* L, int who) {
  struct rusage ru;
  getrusage(who, &ru);
  lua_pushnumber(L, seconds(ru.ru_utime) + seconds(ru.ru_stime));
  return 1;
}

static int clock_cpu(lua_State* L) {
  return push_cpu(L, RUSAGE_SELF);
}

static int clock_children_cpu(lua_State* L) {
  return push_cpu(L, RUSAGE_CHILDREN);
}

int luaopen_benchclock(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, clock_now);
  lua_setfield(L, -2, "now");
  lua_pushcfunction(L, clock_cpu);
  lua_setfield(L, -2, "cpu");
  lua_pushcfunction(L, clock_children_cpu);
  lua_setfield(L, -2, "children_cpu");
  return 1;
}
