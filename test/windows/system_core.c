/* system.core for busted under Windows: the three functions busted 2.1
 * calls (gettime, monotime, sleep), in seconds as Lua numbers. Debian's
 * lua-system is POSIX-only, and the test tree must not depend on more. */
#include <lauxlib.h>
#include <lua.h>
#include <windows.h>

/* 100 ns ticks between 1601-01-01 and 1970-01-01. */
#define EPOCH_DIFF_TICKS 116444736000000000ULL

static int l_gettime(lua_State* L) {
  FILETIME ft;
  GetSystemTimePreciseAsFileTime(&ft);
  ULONGLONG t = ((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
  lua_pushnumber(L, (lua_Number)(t - EPOCH_DIFF_TICKS) / 1e7);
  return 1;
}

static int l_monotime(lua_State* L) {
  LARGE_INTEGER count, freq;
  QueryPerformanceCounter(&count);
  QueryPerformanceFrequency(&freq);
  lua_pushnumber(L, (lua_Number)count.QuadPart / (lua_Number)freq.QuadPart);
  return 1;
}

static int l_sleep(lua_State* L) {
  lua_Number s = luaL_checknumber(L, 1);
  Sleep(s > 0 ? (DWORD)(s * 1000.0 + 0.5) : 0);
  return 0;
}

__declspec(dllexport) int luaopen_system_core(lua_State* L) {
  static const luaL_Reg fns[] = {{"gettime", l_gettime},
                                 {"monotime", l_monotime},
                                 {"sleep", l_sleep},
                                 {NULL, NULL}};
  luaL_newlib(L, fns);
  return 1;
}
