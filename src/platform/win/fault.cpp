// The fault guard of core/fault.hpp on Windows: a file cannot be shortened
// while a view of it exists (SetEndOfFile fails with
// ERROR_USER_MAPPED_FILE), so an access never loses its pages and there is
// nothing to guard: no handler is installed, the armed ranges (inline in
// core/fault.hpp) are read by no one, and no loss is ever recorded.
#include "../../core/fault.hpp"

namespace ipc {

namespace fault_detail {
IPC_HANDLER_TLS fault_state armed;
std::atomic<bool> ever_armed{false};
}  // namespace fault_detail

int install_fault_handler() {
  return 0;
}

void fault_forget(char*) {}

}  // namespace ipc
