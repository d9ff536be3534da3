// luaopen_ipc: require "ipc" returns a table of the seven modules, each
// also registered in package.loaded under its own name, and `platform`,
// what this build does on the running system (docs/contract.md,
// "Platforms").
#include "../core/lua.hpp"
#include "../core/version.hpp"
#include "../platform/lock.hpp"
#include "../platform/named.hpp"
#include "../platform/process.hpp"
#include "../platform/semaphore.hpp"

IPC_EXPORT int luaopen_ipc_shm(lua_State* L);
IPC_EXPORT int luaopen_ipc_sem(lua_State* L);
IPC_EXPORT int luaopen_ipc_mmap(lua_State* L);
IPC_EXPORT int luaopen_ipc_filelock(lua_State* L);
IPC_EXPORT int luaopen_ipc_proc(lua_State* L);
IPC_EXPORT int luaopen_ipc_strfile(lua_State* L);
IPC_EXPORT int luaopen_ipc_loop(lua_State* L);

namespace {

void push_platform(lua_State* L) {
  namespace p = ipc::platform;
  lua_createtable(L, 0, 13);
  lua_pushstring(L, p::os_name());
  lua_setfield(L, -2, "os");
  const struct {
    const char* field;
    bool value;
  } flags[] = {
      {"proc", p::have_proc()},
      {"ofd_locks", p::have_ofd_locks()},
      {"sem_value", p::have_sem_value()},
      {"pidfd", p::have_pidfd()},
      {"signals", p::have_signals()},
      {"die_with_parent", p::have_die_with_parent()},
      {"sem_identity", p::have_sem_identity()},
      {"persistent_names", p::names_persist()},
      {"pipe_resize", p::have_pipe_resize()},
  };
  for (const auto& f : flags) {
    lua_pushboolean(L, f.value);
    lua_setfield(L, -2, f.field);
  }
  lua_pushinteger(L, static_cast<lua_Integer>(p::name_max(p::name_kind::shm)));
  lua_setfield(L, -2, "shm_name_max");
  lua_pushinteger(L, static_cast<lua_Integer>(p::name_max(p::name_kind::sem)));
  lua_setfield(L, -2, "sem_name_max");
  lua_pushinteger(L, static_cast<lua_Integer>(p::sem_value_max()));
  lua_setfield(L, -2, "sem_value_max");
}

}  // namespace

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
  lua_createtable(L, 0, 9);
  for (const auto& m : modules) {
    luaL_requiref(L, m.name, m.open, 0);
    lua_setfield(L, -2, m.field);
  }
  push_platform(L);
  lua_setfield(L, -2, "platform");
  ipc::set_version(L);
  return 1;
}
