// Results of the operating system and misuse of the API, and how they
// reach Lua. A failure of the OS is returned as `nil, strerror(code), code`
// (or `nil, "<what>: " .. strerror(code), code` when it names the file or
// object that failed, as io.open does); misuse raises an error in
// luaL_argerror's words, built here and nowhere else.
#pragma once

#include <cerrno>

#include "lua.hpp"

namespace ipc {

// Pushes `nil, message, code` and returns 3 (cf. luaL_fileresult).
int push_failure(lua_State* L, int code);
// Same with a message of our own instead of strerror(code).
int push_failure(lua_State* L, const char* message, int code);
// Pushes `nil, "<what>: <strerror(code)>", code` and returns 3.
int push_failure_named(lua_State* L, const char* what, int code);
// Pushes `true` when `code` is 0, else `nil, strerror(code), code`.
int push_result(lua_State* L, int code);
// Pushes `nil, message` and returns 2 (failures that have no errno).
int push_fail_message(lua_State* L, const char* message);

// The errno of libuv's error code `r` (< 0): on POSIX the same number
// negated, on Windows libuv's own numbers translated to the C runtime's.
int errno_of(int r);

// Raises "bad argument #idx to '<function>' (<formatted message>)": the
// one helper for argument and option errors, so that no code builds such
// a message by hand or rewrites one.
[[noreturn]] void raise_arg(lua_State* L, int idx, const char* fmt, ...);

// The optional number of seconds at `idx` (absent or nil: `absent`).
// Raises for NaN and for anything that is not a number.
double check_seconds(lua_State* L, int idx, double absent);

// The string at `idx`, which reaches the OS as a C string: raises when it
// holds a NUL byte (the OS would silently see a shorter string).
const char* check_c_string(lua_State* L, int idx, size_t* len = nullptr);

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
