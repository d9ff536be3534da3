// The process engine of ipc.proc: one child, its pipes and timers on a
// libuv loop. It never calls Lua. libuv callbacks only record what happened
// (output bytes, EOF, errors, the exit status) in the `proc_core`; the Lua
// face delivers the records to the user's callback when it can, and is told
// after each event through `notify` (luv mode delivers right away).
// uv handles live in this heap object, which is freed only after the close
// callbacks of all of them have run.
#pragma once

#include <uv.h>

#include "../core/luv.hpp"

#include <cstddef>
#include <cstdint>

namespace ipc::proc {

enum stream_id { std_in = 0, std_out = 1, std_err = 2 };

// How each of the child's standard streams is connected.
enum stdio_kind { stdio_inherit = 0, stdio_pipe = 1, stdio_fd = 2 };

// Everything the spawn needs; the strings are owned by the caller and only
// used during start().
struct spawn_request {
  const char* file;
  char** args;
  char** env;  // nullptr: the parent's environment
  const char* cwd;
  stdio_kind kind[3];
  int fd[3];
  bool group;
  double timeout;        // seconds; <= 0 means none
  double drain_timeout;  // seconds
};

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

struct proc_core {
  // First, so that luv's uv.walk() can read the handles' data (luv.hpp).
  luv_handle_t walk_standin;
  uv_loop_t* loop;
  // The child's exit is seen through a pidfd (readable once it has exited)
  // or, where the kernel offers none, through SIGCHLD; either way the child
  // is reaped with waitpid on its own pid only.
  uv_poll_t exit_poll;
  uv_signal_t exit_signal;
  int pidfd;                 // -1: exit_signal is the watcher
  uv_pipe_t pipe[3];
  uv_timer_t kill_timer;   // options.timeout and its SIGKILL escalation
  uv_timer_t drain_timer;  // options.drain_timeout after the exit
  uv_timer_t wait_timer;   // wakes a blocking h:wait(timeout)
  int live;                // initialised uv handles not yet closed
  bool detached;           // no Lua handle any more: free with the last close
  bool process_open;       // the exit watcher is open
  bool pipe_open[3];
  bool big_pipe[3];         // its kernel buffer was enlarged (counted)
  bool read_stopped[3];    // reading paused: undelivered output over the cap
  bool group;
  int pid;
  uint64_t drain_ms;

  out_buffer out[3];       // undelivered output of stdout and stderr
  int error[3];            // undelivered read/write error (errno) per stream

  int writes_in_flight;
  uint64_t seq_done;       // queued stdin strings finished (sent or dropped)
  bool eof_queued;

  bool exited;
  int64_t exit_status;
  int term_signal;
  bool timed_out;
  int kill_stage;

  // Called after every event, as the last thing a libuv callback does.
  void (*notify)(proc_core*);
  void* owner;
};

// Starts the child. On success *out is the running core; on failure returns
// an errno and the partial core cleans itself up on the next loop run.
int start(uv_loop_t* loop, const spawn_request& req, proc_core** out);

// Undelivered output or errors?
bool has_pending(const proc_core* c);
// Marks the output of stream `s` delivered; resumes reading if paused.
void consumed(proc_core* c, int s);

// The child has exited, every pipe reached its end (or drain_timeout
// passed), and nothing is left to deliver.
bool finished(const proc_core* c);

// Queues `n` buffers for stdin; `last_seq` is the sequence number of the
// last one, reported back in seq_done once they are sent or dropped.
int write(proc_core* c, const uv_buf_t* bufs, unsigned n, uint64_t last_seq);
// Closes stdin once everything queued before has been sent.
void write_eof(proc_core* c);
// Whether stdin can still take data.
bool stdin_open(const proc_core* c);

// Sends `sig` to the child, or to its group; returns 0 or an errno.
int send_signal(proc_core* c, int sig);

// Forgets the core: kills the child (SIGKILL) if it is still running,
// reaps it and closes every handle. Stores the final status when it was
// not known yet. The core frees itself once libuv has closed everything.
void destroy(proc_core* c, bool* exited, int64_t* status, int* signal);

}  // namespace ipc::proc
