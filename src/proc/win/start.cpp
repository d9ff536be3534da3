// The Windows half of the process engine (see engine.hpp): a child started
// by uv_spawn, its standard streams on pipes made by uv_pipe (the parent's
// ends overlapped, the child's ends plain, as console programs expect),
// its exit reported by libuv's process handle, a `group` in a job object
// of its own, and "signals" that terminate it. Windows has no way to read
// a pipe without waiting outside libuv: pulled streams and the drain
// deadline read through the loop only, and a stream cannot be handed to
// another child.
#include <io.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <new>

#include "../../core/status.hpp"
#include "../../platform/win/jobs.hpp"
#include "../engine_internal.hpp"
#include "batch.hpp"

namespace ipc::proc {
namespace engine {
namespace {

constexpr int sig_term = 15, sig_kill = 9;  // the numbers of "term", "kill"

void on_exit(uv_process_t* h, int64_t status, int term_signal) {
  child* c = core_of(reinterpret_cast<uv_handle_t*>(h));
  c->exited = true;
  // A process ended by a job (a `group` killed) exits with code 1 and no
  // signal in libuv's report: the signal is the one sent.
  if (!term_signal && c->watch.signalled && status == 1)
    term_signal = c->watch.signalled;
  if (term_signal)
    c->term_signal = term_signal;
  else
    c->exit_status = status;
  close_watcher(c);
  uv_timer_stop(&c->kill_timer);
  if (!io_settled(c))
    uv_timer_start(&c->drain_timer, on_drain_timer, c->drain_ms, 0);
  after_event(c);
}

// A pipe for stream `s`: the parent's end opened on the loop, the child's
// end in *theirs (closed here once the child has started). 0 or an errno.
int open_pipe(child* c, int s, int* theirs) {
  uv_file fds[2];
  int r = s == std_in ? uv_pipe(fds, 0, UV_NONBLOCK_PIPE)
                      : uv_pipe(fds, UV_NONBLOCK_PIPE, 0);
  if (r < 0) return errno_of(r);
  int mine = s == std_in ? fds[1] : fds[0];
  *theirs = s == std_in ? fds[0] : fds[1];
  uv_pipe_init(c->loop, &c->pipe[s], 0);
  c->pipe[s].data = c;
  c->live++;
  c->pipe_open[s] = true;
  r = uv_pipe_open(&c->pipe[s], mine);
  // libuv duplicates the handle of a descriptor 0..2 and forgets the
  // descriptor; it owns every other one from here.
  if (r < 0 || mine <= 2) _close(mine);
  return r < 0 ? errno_of(r) : 0;
}

// The errno of a start that failed for want of a file while `cwd` is
// set: what is wrong with the cwd when something is (libuv reports a cwd
// that is a file as ENOENT, as it does a missing one), `err` otherwise.
int cwd_errno(const spawn_request& req, int err) {
  if (!req.cwd || (err != ENOENT && err != ENOTDIR && err != EINVAL))
    return err;
  DWORD attributes = GetFileAttributesA(req.cwd);
  if (attributes == INVALID_FILE_ATTRIBUTES) return ENOENT;
  return attributes & FILE_ATTRIBUTE_DIRECTORY ? err : ENOTDIR;
}

}  // namespace

void close_watcher(child* c) {
  if (!c->process_open) return;
  c->process_open = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&c->watch.process), on_close);
}

// The pipe is read only through the loop here (see the top).
void read_rest(child*, int) {}

}  // namespace engine

using namespace engine;

int child_start(loop_state* ls, const spawn_request& req, child** out) {
  if (batch_refused(req)) return EINVAL;
  child* c = child_new(ls, req);
  if (!c) return ENOMEM;
  uv_stdio_container_t io[3];
  int theirs[3] = {-1, -1, -1};
  int err = 0;
  for (int s = 0; s < 3 && !err; s++) {
    switch (req.kind[s]) {
      case stdio_pipe:
        err = open_pipe(c, s, &theirs[s]);
        io[s].flags = UV_INHERIT_FD;
        io[s].data.fd = theirs[s];
        break;
      case stdio_fd:
        if (req.fd[s] < 0) err = ENOTSUP;  // a stream handed over
        io[s].flags = UV_INHERIT_FD;
        io[s].data.fd = req.fd[s];
        break;
      case stdio_inherit:
        io[s].flags = UV_INHERIT_FD;
        io[s].data.fd = s;
        break;
      case stdio_null:  // libuv gives the child NUL
        io[s].flags = UV_IGNORE;
        break;
      case stdio_merge:  // stderr where stdout went (set up just before)
        io[s] = io[std_out];
        break;
    }
  }
  if (!err && req.group && !req.detach &&
      !(c->watch.job = platform::job_create(&err)))
    err = err ? err : ENOMEM;
  if (!err) {
    platform::keep_files_from_children();
    uv_process_options_t o{};
    o.exit_cb = on_exit;
    o.file = req.file;
    o.args = req.args;
    o.env = req.env;
    o.cwd = req.cwd;
    o.stdio_count = 3;
    o.stdio = io;
    if (req.command_line) o.flags |= UV_PROCESS_WINDOWS_VERBATIM_ARGUMENTS;
    if (req.detach) o.flags |= UV_PROCESS_DETACHED;
    int r = uv_spawn(c->loop, &c->watch.process, &o);
    c->watch.process.data = c;
    c->live++;  // uv_spawn initialises the handle even when it fails
    c->process_open = true;
    if (r < 0) err = cwd_errno(req, errno_of(r));
  }
  for (int fd : theirs)
    if (fd >= 0) _close(fd);
  if (!err && c->watch.job) {
    // Between the start and this call the child could start others that
    // stay out of the group: libuv cannot start a child suspended.
    err = platform::job_assign(c->watch.job, c->watch.process.pid);
    if (err) uv_process_kill(&c->watch.process, sig_kill);
  }
  if (err) {
    close_all(c);
    return err;
  }
  c->pid = c->watch.process.pid;
  if (req.detach) {
    // Nothing to watch: the child's status is no one's.
    c->unwatched = true;
    c->exited = true;
    c->status_lost = true;
    close_watcher(c);
  }
  child_begin(c, req);
  *out = c;
  return 0;
}

int child_pipe_fd(const child*, int) {
  return -1;  // no descriptor to hand over (see the top)
}

int child_pull(child* c, int s) {
  if (!c->pipe_open[s]) return 0;
  start_reading(c, s);
  return c->pipe_open[s] ? -1 : 0;
}

int child_handoff(child*, int) {
  return -1;
}

void child_handoff_done(child*, int, bool) {}

int child_signal(child* c, int sig) {
  if (sig != sig_term && sig != sig_kill && sig != 0) return ENOSYS;
  if (c->unwatched) return errno_of(uv_kill(c->pid, sig));
  if (c->exited) return ESRCH;
  if (sig && c->watch.job) {
    c->watch.signalled = sig;
    return platform::job_terminate(c->watch.job);
  }
  if (sig) c->watch.signalled = sig;
  int r = uv_process_kill(&c->watch.process, sig);
  return r < 0 ? errno_of(r) : 0;
}

void child_release(child* c, bool) {
  if (!c->exited && c->process_open) {
    int64_t code = 0;
    if (uv_process_kill(&c->watch.process, sig_kill) == 0) {
      c->term_signal = sig_kill;
    } else if (platform::exit_code_of(c->pid, &code)) {
      c->exit_status = code;  // it ended before libuv reported it
    } else {
      c->status_lost = true;
    }
    c->exited = true;
    close_watcher(c);
  }
  if (c->watch.job) {
    platform::job_terminate(c->watch.job);
    platform::job_close(c->watch.job);
    c->watch.job = nullptr;
  }
  close_all(c);
}

}  // namespace ipc::proc
