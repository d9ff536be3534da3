// ipc.proc where this build has no process engine yet (Windows): the
// module loads, with the functions of ipc.proc, and each returns nil,
// message, ENOTSUP; require("ipc").platform.proc is false.
#include <cerrno>

#include "../../core/lua.hpp"
#include "../../core/status.hpp"
#include "../../core/version.hpp"

namespace {

int not_supported(lua_State* L) {
  return ipc::push_failure(L, "ipc.proc is not available in this build",
                           ENOTSUP);
}

}  // namespace

IPC_EXPORT int luaopen_ipc_proc(lua_State* L) {
  static const char* const names[] = {"spawn", "run", "wait_any", "lines"};
  lua_createtable(L, 0, 5);
  for (const char* name : names) {
    lua_pushcfunction(L, not_supported);
    lua_setfield(L, -2, name);
  }
  ipc::set_version(L);
  return 1;
}
