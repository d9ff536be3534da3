/* A Lua module for the benchmark variants: clock.now() reads the monotonic
 * clock with nanosecond resolution, which neither os.clock (processor time of
 * this process only) nor os.time (whole seconds) offers; clock.cpu() is the
 * processor time (user + system) this process has used, in seconds. It is a
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

static int clock_cpu(lua_State* L) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  lua_pushnumber(L, seconds(ru.ru_utime) + seconds(ru.ru_stime));
  return 1;
}

int luaopen_benchclock(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, clock_now);
  lua_setfield(L, -2, "now");
  lua_pushcfunction(L, clock_cpu);
  lua_setfield(L, -2, "cpu");
  return 1;
}
