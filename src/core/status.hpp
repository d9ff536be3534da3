// Results of the operating system, and how they reach Lua.
// A failure of the OS is returned as `nil, strerror(code), code`; misuse of
// the API is raised with luaL_argerror-style messages by the caller.
#pragma once

#include <cerrno>

#include "lua.hpp"

namespace ipc {

// Pushes `nil, message, code` and returns 3 (cf. luaL_fileresult).
int push_failure(lua_State* L, int code);
// Same with a message of our own instead of strerror(code).
int push_failure(lua_State* L, const char* message, int code);
// Pushes `true` when `code` is 0, else `nil, strerror(code), code`.
int push_result(lua_State* L, int code);
// Pushes `nil, message` and returns 2 (failures that have no errno).
int push_fail_message(lua_State* L, const char* message);

// Runs `f()` again while it fails with EINTR; returns its last result.
template <class F>
inline auto retry_eintr(F f) -> decltype(f()) {
  decltype(f()) r;
  do {
    r = f();
  } while (r == -1 && errno == EINTR);
  return r;
}

}  // namespace ipc
