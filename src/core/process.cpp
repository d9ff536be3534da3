// Process-wide signal and descriptor guarantees (see process.hpp).
#include "process.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>

namespace ipc {
namespace {

void on_sigpipe(int) {}

void install_sigpipe() {
  struct sigaction sa;
  if (sigaction(SIGPIPE, nullptr, &sa) != 0 || sa.sa_handler != SIG_DFL ||
      (sa.sa_flags & SA_SIGINFO))
    return;
  pin_module();
  struct sigaction ours = {};
  ours.sa_handler = on_sigpipe;
  ours.sa_flags = SA_RESTART;
  sigemptyset(&ours.sa_mask);
  sigaction(SIGPIPE, &ours, nullptr);
}

pthread_once_t sigpipe_once = PTHREAD_ONCE_INIT;

}  // namespace

void pin_module() {
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&pin_module), &self) && self.dli_fname)
    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

void guard_sigpipe() { pthread_once(&sigpipe_once, install_sigpipe); }

int inherit_guard_arm(inherit_guard* g) {
  g->fds = nullptr;
  g->n = 0;
  DIR* dir = opendir("/proc/self/fd");  // opened close-on-exec by glibc
  if (!dir) return errno;
  size_t cap = 0;
  int err = 0;
  int self = dirfd(dir);
  while (dirent* e = readdir(dir)) {
    char* end;
    long fd = std::strtol(e->d_name, &end, 10);
    if (*end || end == e->d_name || fd < 3 || fd == self) continue;
    int flags = fcntl(static_cast<int>(fd), F_GETFD);
    if (flags < 0 || (flags & FD_CLOEXEC)) continue;
    if (g->n == cap) {
      cap = cap ? cap * 2 : 16;
      void* p = std::realloc(g->fds, cap * sizeof(int));
      if (!p) {
        err = ENOMEM;
        break;
      }
      g->fds = static_cast<int*>(p);
    }
    if (fcntl(static_cast<int>(fd), F_SETFD, flags | FD_CLOEXEC) == 0)
      g->fds[g->n++] = static_cast<int>(fd);
  }
  closedir(dir);
  if (err) inherit_guard_release(g);
  return err;
}

void inherit_guard_release(inherit_guard* g) {
  for (size_t i = 0; i < g->n; i++) {
    int flags = fcntl(g->fds[i], F_GETFD);
    if (flags >= 0) fcntl(g->fds[i], F_SETFD, flags & ~FD_CLOEXEC);
  }
  std::free(g->fds);
  g->fds = nullptr;
  g->n = 0;
}

}  // namespace ipc
