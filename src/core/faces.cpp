// Loading the compiled-in Lua faces (see faces.hpp).
#include "faces.hpp"

#include <cstring>

namespace ipc {

void call_face(lua_State* L, const unsigned char* source, const char* name,
               int nargs) {
  const char* text = reinterpret_cast<const char*>(source);
  lua_pushfstring(L, "@lua/ipc/face/%s.lua", name);
  int st =
      luaL_loadbufferx(L, text, std::strlen(text), lua_tostring(L, -1), "t");
  lua_remove(L, -2);  // the chunk name
  if (st != LUA_OK) lua_error(L);
  lua_insert(L, -nargs - 1);
  lua_call(L, nargs, 1);
}

}  // namespace ipc
