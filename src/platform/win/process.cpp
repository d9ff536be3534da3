// Process capabilities on Windows (see platform/process.hpp): ipc.proc is
// not built yet; no pidfds, no signals beyond term and kill.
#include "../process.hpp"

namespace ipc::platform {

const char* os_name() {
  return "windows";
}

bool have_proc() {
  return false;
}

bool have_pidfd() {
  return false;
}

bool have_signals() {
  return false;
}

bool have_die_with_parent() {
  return false;
}

}  // namespace ipc::platform
