// SIGPIPE blocked around luaipc's own writes (see sigpipe.hpp).
#include "../sigpipe.hpp"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace ipc {

void os_sigpipe_block(sigpipe_guard* g) {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  g->active = pthread_sigmask(SIG_BLOCK, &pipe_only, &g->old) == 0 &&
              !sigismember(&g->old, SIGPIPE);
}

void os_sigpipe_unblock(sigpipe_guard* g) {
  if (!g->active) return;  // the program blocks SIGPIPE itself
  sigset_t pending;
  if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
    // Raised by our writes while blocked: it was not pending before, since
    // an unblocked SIGPIPE is delivered at once.
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    timespec zero{0, 0};
    int r;
    do {
      r = sigtimedwait(&pipe_only, nullptr, &zero);
    } while (r < 0 && errno == EINTR);
  }
  pthread_sigmask(SIG_SETMASK, &g->old, nullptr);
}

}  // namespace ipc
