// The names ipc.proc's sources still use: runtime.hpp was called
// process.hpp, and check_as<ipc::handle> was check_open. Remove this file
// with the last include of it.
#pragma once

#include "handle.hpp"
#include "runtime.hpp"

namespace ipc {

inline handle* check_open(lua_State* L, int idx) {
  return check_as<handle>(L, idx);
}

}  // namespace ipc
