// The failure triple and misuse errors shared by every module (see
// status.hpp).
#include "status.hpp"

#include <uv.h>

#include <cmath>
#include <cstdarg>
#include <cstring>

namespace ipc {

int push_failure(lua_State* L, const char* message, int code) {
  lua_pushnil(L);
  lua_pushstring(L, message);
  lua_pushinteger(L, code);
  return 3;
}

int push_failure(lua_State* L, int code) {
  return push_failure(L, std::strerror(code), code);
}

int push_failure_named(lua_State* L, const char* what, int code) {
  lua_pushnil(L);
  lua_pushfstring(L, "%s: %s", what, std::strerror(code));
  lua_pushinteger(L, code);
  return 3;
}

int push_result(lua_State* L, int code) {
  if (code) return push_failure(L, code);
  lua_pushboolean(L, 1);
  return 1;
}

int push_fail_message(lua_State* L, const char* message) {
  lua_pushnil(L);
  lua_pushstring(L, message);
  return 2;
}

void raise_arg(lua_State* L, int idx, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const char* msg = lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  luaL_argerror(L, idx, msg);
  __builtin_unreachable();
}

double check_seconds(lua_State* L, int idx, double absent) {
  lua_Number s = luaL_optnumber(L, idx, absent);
  if (std::isnan(s)) raise_arg(L, idx, "invalid timeout (NaN)");
  return static_cast<double>(s);
}

const char* check_c_string(lua_State* L, int idx, size_t* len) {
  size_t n;
  const char* s = luaL_checklstring(L, idx, &n);
  if (std::strlen(s) != n) raise_arg(L, idx, "string contains a NUL byte");
  if (len) *len = n;
  return s;
}

int errno_of(int r) {
  // The codes ipc.proc meets from libuv; where libuv uses the system's
  // numbers (POSIX) each case is the identity.
  static const struct {
    int uv, sys;
  } codes[] = {
      {UV_ENOENT, ENOENT},       {UV_EACCES, EACCES},
      {UV_EINVAL, EINVAL},       {UV_ENOMEM, ENOMEM},
      {UV_EPIPE, EPIPE},         {UV_EBADF, EBADF},
      {UV_EMFILE, EMFILE},       {UV_ENFILE, ENFILE},
      {UV_ENOSYS, ENOSYS},       {UV_ENOTSUP, ENOTSUP},
      {UV_ESRCH, ESRCH},         {UV_EAGAIN, EAGAIN},
      {UV_ECANCELED, ECANCELED}, {UV_EIO, EIO},
      {UV_EEXIST, EEXIST},       {UV_ENAMETOOLONG, ENAMETOOLONG},
      {UV_ENOTDIR, ENOTDIR},     {UV_EBUSY, EBUSY},
      {UV_ETIMEDOUT, ETIMEDOUT}, {UV_ENOBUFS, ENOBUFS},
      {UV_EPERM, EPERM},         {UV_E2BIG, E2BIG},
      {UV_EISDIR, EISDIR},       {UV_ECONNRESET, ECONNRESET},
  };
  for (const auto& c : codes)
    if (c.uv == r) return c.sys;
  return r < 0 ? -r : r;
}

}  // namespace ipc
