// The process engine of ipc.proc: one child, its pipes and timers on the
// state's private libuv loop. It never calls Lua: libuv callbacks only
// record what happened (output bytes, EOF, errors, the exit status) in the
// `child`; the Lua face (proc.cpp) delivers the records to the user's
// callback once the loop has returned. uv handles live in this heap object,
// which is freed only after the close callbacks of all of them have run.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>

#include "../core/loop.hpp"
#include "request.hpp"
#include "watch.hpp"  // the platform's exit watcher (posix/ or win/)

namespace ipc::proc {

enum stream_id { std_in = 0, std_out = 1, std_err = 2 };

// Seconds to a libuv timer's milliseconds: rounded up, so a timer never
// fires before its deadline, and clamped, so that math.huge is "forever"
// rather than an out-of-range conversion.
uint64_t to_ms(double seconds);

struct out_buffer {
  char* data;
  size_t len;  // bytes read
  size_t off;  // bytes of them already delivered
  size_t cap;
};

// Output reaches the callback in pieces of at most this size: larger Lua
// strings would each be a fresh mmap'd allocation, faulted in and handed
// back to the kernel at every collection.
constexpr size_t delivery_chunk = 64 * 1024;

struct child {
  uv_loop_t* loop;
  loop_state* ls;  // its dirty is set after every event; `writing` counts
                   // the writes in flight
  // The child's exit: a pidfd or a polled waitpid on POSIX, libuv's
  // process handle on Windows; either way only the child's own exit is
  // seen, and the program's SIGCHLD disposition is never touched.
  exit_watch watch;
  uv_pipe_t pipe[3];
  uv_timer_t kill_timer;   // options.timeout and its SIGKILL escalation
  uv_timer_t drain_timer;  // options.drain_timeout after the exit
  int live;                // initialised uv handles not yet closed
  bool detached;           // no Lua handle any more: free with the last close
  bool process_open;       // the exit watcher is open
  bool pipe_open[3];
  bool big_pipe[3];      // its kernel buffer was enlarged (counted)
  bool read_stopped[3];  // reading paused: undelivered output over the cap
  bool read_full[3];     // the backlog reached the cap since last consumed
  bool counted[3];       // among the callback pipes the cap is shared by
  bool group;
  bool unwatched;  // detached: not our child, never waited for or killed
  // Pulled output (no callback): out[s] holds what was read and not yet
  // consumed, from `off` to `len`; the pipe is read only while a read
  // needs bytes, or without pause while `draining` (h:wait()).
  bool pulled;
  bool draining;
  int pid;
  uint64_t drain_ms;

  out_buffer out[3];  // undelivered output of stdout and stderr
  int error[3];       // undelivered read/write error (errno) per stream
  int stdin_failed;   // the errno that broke stdin, kept for h:drain()

  int writes_in_flight;
  uint64_t seq_done;  // queued stdin strings finished (sent or dropped)
  bool eof_queued;

  bool exited;
  bool status_lost;  // exited, but its status was taken by others
  int64_t exit_status;
  int term_signal;
  bool timed_out;
  int kill_stage;
};

// Starts the child. On success *out is the running child; on failure
// returns an errno and the partial child frees itself on the next loop run.
int child_start(loop_state* ls, const spawn_request& req, child** out);

// Undelivered output or errors?
bool child_has_pending(const child* c);
// Marks the output of stream `s` delivered; resumes reading if paused.
void child_consumed(child* c, int s);

// The child has exited, every pipe reached its end (or drain_timeout
// passed), and nothing is left to deliver.
bool child_finished(const child* c);

// Queues `n` buffers for stdin; `last_seq` is the sequence number of the
// last one, reported back in seq_done once they are sent or dropped.
int child_write(child* c, const uv_buf_t* bufs, unsigned n, uint64_t last_seq);
// Closes stdin once everything queued before has been sent.
void child_write_eof(child* c);
// Whether stdin can still take data.
bool child_stdin_open(const child* c);
// Bytes queued for stdin that the pipe has not accepted yet.
size_t child_queued(const child* c);
// What the stdin pipe holds at most (as far as known: enlarged or not).
size_t child_stdin_capacity(const child* c);

// Pulled streams (see `pulled`). child_pull reads what the pipe of `s`
// holds now into out[s], without blocking: 1 when bytes were added, 0 when
// the stream has ended (EOF, or an error left in error[s]), -1 when the
// pipe is empty: reading then runs on the loop until a piece arrives.
int child_pull(child* c, int s);
// Stops reading `s` on the loop (the read that wanted bytes is over).
void child_pull_stop(child* c, int s);
// Reads every pulled stream without pause (h:wait()), or stops that.
void child_drain(child* c, bool on);
// Closes the pipe of `s` and drops what it buffered: the child's later
// writes to it fail with EPIPE.
void child_close_stream(child* c, int s);
// The descriptor of the open pipe of `s`, or -1.
int child_pipe_fd(const child* c, int s);
// Makes the pulled pipe `s` blocking, for a new child's stdin; returns its
// descriptor or -1. child_handoff_done closes the pipe here after a spawn
// that took it, or makes it non-blocking again.
int child_handoff(child* c, int s);
void child_handoff_done(child* c, int s, bool taken);

// Sends `sig` to the child, or to its group; returns 0 or an errno. A
// detached child is signalled by its pid as long as the handle is open.
int child_signal(child* c, int sig);

// Forgets the child: kills it (SIGKILL) if it is still running, and its
// group with `group`, reaps it and closes every handle; records the final
// status when it was not known yet. The record frees itself once libuv has
// closed everything. `owner` false (a forked copy): only the descriptors
// of this process are closed; the child is left alone.
void child_release(child* c, bool owner);

}  // namespace ipc::proc
