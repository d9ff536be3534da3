// luaopen_ipc: require "ipc" returns a table of the seven modules, each
// also registered in package.loaded under its own name.
#include "../core/lua.hpp"

IPC_EXPORT int luaopen_ipc_shm(lua_State* L);
IPC_EXPORT int luaopen_ipc_sem(lua_State* L);
IPC_EXPORT int luaopen_ipc_mmap(lua_State* L);
IPC_EXPORT int luaopen_ipc_filelock(lua_State* L);
IPC_EXPORT int luaopen_ipc_proc(lua_State* L);
IPC_EXPORT int luaopen_ipc_strfile(lua_State* L);
IPC_EXPORT int luaopen_ipc_loop(lua_State* L);

IPC_EXPORT int luaopen_ipc(lua_State* L) {
  static const struct {
    const char* field;
    const char* name;
    lua_CFunction open;
  } modules[] = {
      {"shm", "ipc.shm", luaopen_ipc_shm},
      {"sem", "ipc.sem", luaopen_ipc_sem},
      {"mmap", "ipc.mmap", luaopen_ipc_mmap},
      {"filelock", "ipc.filelock", luaopen_ipc_filelock},
      {"proc", "ipc.proc", luaopen_ipc_proc},
      {"strfile", "ipc.strfile", luaopen_ipc_strfile},
      {"loop", "ipc.loop", luaopen_ipc_loop},
  };
  lua_createtable(L, 0, 7);
  for (const auto& m : modules) {
    luaL_requiref(L, m.name, m.open, 0);
    lua_setfield(L, -2, m.field);
  }
  return 1;
}
