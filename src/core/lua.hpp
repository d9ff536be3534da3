// The one place that includes Lua's C headers. Lua is a C library: every
// declaration must have C linkage, and luaL_error & co. unwind with longjmp,
// so no object with a non-trivial destructor may live in a frame they leave.
#pragma once

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#if LUA_VERSION_NUM != 504
#error "luaipc requires Lua 5.4"
#endif

// The luaopen_ functions, the only symbols the module exports.
#ifdef _WIN32
#define IPC_EXPORT extern "C" __declspec(dllexport)
#else
#define IPC_EXPORT extern "C" __attribute__((visibility("default")))
#endif
