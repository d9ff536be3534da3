// Process capabilities on any POSIX system: no pidfds (children are
// watched through SIGCHLD), signals by name, no die-with-parent. The OS's
// name is the one the compiler targets. See platform/process.hpp.
#include "../process.hpp"

#include <cerrno>

namespace ipc::platform {

const char* os_name() {
#if defined(__APPLE__)
  return "macos";
#elif defined(__FreeBSD__)
  return "freebsd";
#elif defined(__linux__)
  return "linux";
#else
  return "posix";
#endif
}

bool have_proc() {
  return true;
}

bool have_pidfd() {
  return false;
}

bool have_signals() {
  return true;
}

bool have_pipe_resize() {
  return false;
}

bool have_die_with_parent() {
  return false;
}

int die_with_parent(pid_t) {
  return ENOTSUP;
}

}  // namespace ipc::platform
