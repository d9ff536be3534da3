// Process capabilities on Linux (see platform/process.hpp).
#include "../process.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

namespace ipc::platform {

const char* os_name() {
  return "linux";
}

bool have_proc() {
  return true;
}

bool have_pidfd() {
#ifdef SYS_pidfd_open
  // 0: not probed yet, 1: works, 2: does not.
  static std::atomic<int> probed{0};
  int p = probed.load(std::memory_order_relaxed);
  if (p == 0) {
    int fd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
    if (fd >= 0) close(fd);
    p = fd >= 0 ? 1 : 2;
    probed.store(p, std::memory_order_relaxed);
  }
  return p == 1;
#else
  return false;
#endif
}

bool have_signals() {
  return true;
}

bool have_die_with_parent() {
  return false;
}

}  // namespace ipc::platform
