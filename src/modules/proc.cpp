// ipc.proc: placeholder until the module lands.
#include "../core/lua.hpp"

IPC_EXPORT int luaopen_ipc_proc(lua_State* L) {
  lua_newtable(L);
  return 1;
}
