// Process capabilities on Linux (see platform/process.hpp).
#include "../process.hpp"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

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

bool have_pipe_resize() {
  return true;
}

bool have_die_with_parent() {
  return true;
}

// PR_SET_PDEATHSIG fires when the thread that forked the child ends (see
// docs/proc.md), and it survives the exec of any program that is not
// set-user-ID.
int die_with_parent(pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return errno;
  if (getppid() != parent) raise(SIGKILL);
  return 0;
}

}  // namespace ipc::platform
