// The failure triple shared by every module (see status.hpp).
#include "status.hpp"

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

}  // namespace ipc
