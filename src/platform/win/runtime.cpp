// The process-wide guarantees of core/runtime.hpp on Windows: the module
// is pinned with GetModuleHandleEx; there is no fork (handles are always the
// running process's own).
#include <windows.h>

#include "../../core/runtime.hpp"

namespace ipc {

void pin_module() {
  HMODULE self;
  GetModuleHandleExA(
      GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
      reinterpret_cast<LPCSTR>(&pin_module), &self);
}

unsigned process_generation() {
  return 1;
}

}  // namespace ipc
