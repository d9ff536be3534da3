// The version every module table carries as _VERSION ("luaipc 0.1.0").
// The build defines IPC_VERSION from CMake's project(luaipc VERSION ...),
// the one place the version is written.
#pragma once

#include "lua.hpp"

#ifndef IPC_VERSION
#error \
    "IPC_VERSION must be defined by the build (project VERSION in CMakeLists.txt)"
#endif

namespace ipc {

// Sets _VERSION on the table at the top of the stack.
inline void set_version(lua_State* L) {
  lua_pushliteral(L, "luaipc " IPC_VERSION);
  lua_setfield(L, -2, "_VERSION");
}

}  // namespace ipc
