// How the POSIX engine watches a child's exit (exit_watch.cpp): a pidfd
// polled on the loop where the kernel gives one, or waitpid polled on a
// timer that backs off. Included by engine.hpp through the include path
// the build chooses (src/platform/sources.cmake).
#pragma once

#include <uv.h>

#include <cstdint>

namespace ipc::proc {

struct exit_watch {
  uv_poll_t poll;    // the pidfd, readable once the child has exited
  uv_timer_t timer;  // or this timer, where there is no pidfd
  int pidfd;         // -1: the timer is the watcher
  uint64_t poll_ms;  // the timer's current interval
};

}  // namespace ipc::proc
