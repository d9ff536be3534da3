// The parts of the process engine shared by its files: engine.cpp (the
// child's start, pipes, timers, release) and exit_watch.cpp (how its exit
// is seen and its status recorded). Not for the Lua face.
#pragma once

#include <sys/types.h>

#include "engine.hpp"

namespace ipc::proc::engine {

child* core_of(uv_handle_t* h);
void on_close(uv_handle_t* h);
void close_timer(uv_timer_t* t);
bool io_settled(const child* c);
void after_event(child* c);
void on_drain_timer(uv_timer_t* t);

// exit_watch.cpp
void close_watcher(child* c);
void record_status(child* c, pid_t r, int st);
void on_pidfd(uv_poll_t* h, int status, int events);
void on_exit_timer(uv_timer_t* t);
// Without a pidfd the exit is polled: soon after the start (most children
// are short), then less and less often, at most every 50 ms.
constexpr uint64_t exit_poll_first_ms = 1, exit_poll_max_ms = 50;

}  // namespace ipc::proc::engine
