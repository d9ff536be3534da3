// Writes to a child's pipe must fail with EPIPE, not kill the program with
// SIGPIPE, without changing the program's own SIGPIPE disposition (a
// program piped into `head` must still end when `head` does). Around its
// own writes (every run of the loop, every queued write), luaipc blocks
// SIGPIPE in the calling thread and, before unblocking it, consumes a
// SIGPIPE that those writes raised.
#pragma once

#include <signal.h>
#include <sys/types.h>

namespace ipc {

struct sigpipe_guard {
  sigset_t old;
  bool active;  // SIGPIPE was not blocked before: unblock afterwards
};

void os_sigpipe_block(sigpipe_guard* g);
void os_sigpipe_unblock(sigpipe_guard* g);

}  // namespace ipc
