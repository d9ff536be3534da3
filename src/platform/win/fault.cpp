// The fault guard of core/fault.hpp on Windows: a file cannot be shortened
// while a view of it exists (SetEndOfFile fails with
// ERROR_USER_MAPPED_FILE), so an access never loses its pages and there is
// nothing to guard: arming and disarming do nothing, and no loss is ever
// reported.
#include "../../core/fault.hpp"

namespace ipc {

int install_fault_handler() {
  return 0;
}

fault_state fault_arm(char*, size_t) {
  return fault_state{nullptr, nullptr, nullptr};
}

char* fault_disarm(const fault_state&) {
  return nullptr;
}

void fault_forget(char*) {}

}  // namespace ipc
