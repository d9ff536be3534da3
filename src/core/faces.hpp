// Loading the Lua faces compiled into the module (cmake/faces.cmake).
#pragma once

#include "lua.hpp"

namespace ipc {

// Loads face `name` (lua/ipc/face/<name>.lua), calls it with the `nargs`
// values on top of the stack and leaves its one result. Raises on error.
void call_face(lua_State* L, const unsigned char* source, const char* name,
               int nargs);

}  // namespace ipc
