// The exit watch of the POSIX engine (exit_watch.cpp), for start.cpp.
#pragma once

#include <sys/types.h>

#include "../engine_internal.hpp"

namespace ipc::proc::engine {

void record_status(child* c, pid_t r, int st);
void on_pidfd(uv_poll_t* h, int status, int events);
void on_exit_timer(uv_timer_t* t);
// Without a pidfd the exit is polled: soon after the start (most children
// are short), then less and less often, at most every 50 ms.
constexpr uint64_t exit_poll_first_ms = 1, exit_poll_max_ms = 50;

}  // namespace ipc::proc::engine
