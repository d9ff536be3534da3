// The parts of the process engine shared by its files: engine.cpp (what
// every platform shares: reading, writing, timers, closing) and the
// platform's start of a child, exit watch, signals and release
// (posix/start.cpp and posix/exit_watch.cpp, or win/start.cpp). Not for the
// Lua face.
#pragma once

#include <atomic>
#include <cstddef>

#include "engine.hpp"

namespace ipc::proc::engine {

// Output is read straight into the undelivered-output buffer, at most
// 64 KiB per read (the size of the strings delivered); reading pauses while
// more than backlog_cap() bytes wait to be delivered, so a child that
// writes faster than the callback consumes cannot exhaust memory. A read
// copies under the pipe's lock, which the child's writes wait for: reads of
// up to 256 KiB made the child spin on that lock (14 % of all samples of
// pipe_roundtrip, mutex_spin_on_owner), and 64 KiB reads took 0.88 of the
// time.
constexpr size_t read_chunk = 64 * 1024;
// Pulled output is read in pieces of up to this size: a pipe's worth.
constexpr size_t pull_chunk = 256 * 1024;

// A pipe's buffer as Linux makes it (and the most macOS grows one to), and
// the least the backlog and an enlarged pipe get.
constexpr size_t plain_pipe_bytes = 64 * 1024;

size_t buffer_bytes();
size_t backlog_cap();
// Pipes whose kernel buffer was enlarged, at most a few at a time
// (posix/start.cpp); close_pipe gives the count back.
extern std::atomic<int> big_pipes;

child* core_of(uv_handle_t* h);
void on_close(uv_handle_t* h);
void close_pipe(child* c, int s);
void close_timer(uv_timer_t* t);
void close_all(child* c);
bool io_settled(const child* c);
void after_event(child* c);
bool pull_reserve(out_buffer& b, size_t want);
void on_alloc(uv_handle_t* h, size_t, uv_buf_t* buf);
void on_read(uv_stream_t* st, ssize_t n, const uv_buf_t*);
void on_drain_timer(uv_timer_t* t);
void on_kill_timer(uv_timer_t* t);
// Reading of a pulled (or paused) stream on the loop: resumed, or paused.
void start_reading(child* c, int s);
void stop_reading(child* c, int s);

child* child_new(loop_state* ls, const spawn_request& req);
void child_begin(child* c, const spawn_request& req);

// The platform's part.
// Closes the exit watcher once the child's exit is known.
void close_watcher(child* c);
// Reads what the pipe of `s` already holds, without blocking, before it is
// closed at the drain deadline (where the platform can).
void read_rest(child* c, int s);

}  // namespace ipc::proc::engine
