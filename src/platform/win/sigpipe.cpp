// Windows has no SIGPIPE: a write to a closed pipe fails with EPIPE by
// itself (see sigpipe.hpp).
#include "../sigpipe.hpp"

namespace ipc {

void os_sigpipe_block(sigpipe_guard* g) {
  g->active = false;
}

void os_sigpipe_unblock(sigpipe_guard*) {}

}  // namespace ipc
