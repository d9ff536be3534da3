// The process engine of ipc.proc (see proc_engine.hpp).
#include "proc_engine.hpp"

#include "../core/status.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>

#if !defined(__GLIBC__) || !__GLIBC_PREREQ(2, 34)
#error "ipc.proc needs glibc 2.34 or later (posix_spawn_file_actions_addclosefrom_np)"
#endif

extern char** environ;

namespace ipc::proc {

uint64_t to_ms(double seconds) {
  if (seconds <= 0) return 0;
  double ms = seconds * 1000.0;
  if (ms > 1e15) ms = 1e15;
  uint64_t r = static_cast<uint64_t>(ms);
  return r < ms ? r + 1 : r;  // round up: never wake before the deadline
}

namespace {

// Output is read straight into the undelivered-output buffer, 64 KiB at a
// time; reading pauses while more than 256 KiB wait to be delivered, so a
// child that writes faster than the callback consumes cannot exhaust memory.
constexpr size_t read_chunk = 64 * 1024;
constexpr size_t backlog_cap = 256 * 1024;
constexpr uint64_t kill_grace_ms = 1000;

// Pipes get 256 KiB of kernel buffer instead of 64 KiB: a child such as
// cat moves 128 KiB per read and write, and through a 64 KiB pipe both
// sides wake up for every few pages freed. The kernel counts the buffers
// against the user's pipe-user-pages-soft (64 MiB by default), past which
// every new pipe of that user gets a single page, so at most 32 pipes of
// this process (8 MiB) are enlarged at a time; the others keep 64 KiB.
constexpr int big_pipe_size = 256 * 1024;
constexpr int big_pipe_max = 32;
std::atomic<int> big_pipes{0};

bool enlarge_pipe(int fd) {
  if (big_pipes.fetch_add(1) < big_pipe_max && fcntl(fd, F_SETPIPE_SZ, big_pipe_size) >= 0)
    return true;
  big_pipes.fetch_sub(1);
  return false;
}

proc_core* core_of(uv_handle_t* h) { return static_cast<proc_core*>(h->data); }

int stream_of(proc_core* c, uv_handle_t* h) {
  return static_cast<int>(reinterpret_cast<uv_pipe_t*>(h) - c->pipe);
}

void free_core(proc_core* c) {
  for (auto& b : c->out) free(b.data);
  delete c;
}

void on_close(uv_handle_t* h) {
  proc_core* c = core_of(h);
  if (--c->live == 0 && c->detached) free_core(c);
}

void close_pipe(proc_core* c, int s) {
  if (!c->pipe_open[s]) return;
  c->pipe_open[s] = false;
  if (c->big_pipe[s]) big_pipes.fetch_sub(1);
  c->big_pipe[s] = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&c->pipe[s]), on_close);
}

void close_timer(uv_timer_t* t) {
  if (uv_is_closing(reinterpret_cast<uv_handle_t*>(t))) return;
  uv_timer_stop(t);
  uv_close(reinterpret_cast<uv_handle_t*>(t), on_close);
}

bool io_settled(const proc_core* c) {
  return !c->pipe_open[std_out] && !c->pipe_open[std_err] &&
         (!c->pipe_open[std_in] || c->writes_in_flight == 0);
}

// The common tail of every libuv callback: stop the drain timer once it has
// no purpose left, then tell the Lua face. Nothing may touch `c` after
// notify, which may close the Lua handle.
void after_event(proc_core* c) {
  if (c->exited && io_settled(c) && !c->detached) uv_timer_stop(&c->drain_timer);
  if (c->notify) c->notify(c);
}

void on_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  proc_core* c = core_of(h);
  out_buffer& b = c->out[stream_of(c, h)];
  if (b.cap - b.len < read_chunk) {
    size_t ncap = b.len + read_chunk;
    auto* p = static_cast<char*>(realloc(b.data, ncap));
    if (!p) {
      *buf = uv_buf_init(nullptr, 0);  // libuv reports UV_ENOBUFS
      return;
    }
    b.data = p;
    b.cap = ncap;
  }
  *buf = uv_buf_init(b.data + b.len, static_cast<unsigned>(b.cap - b.len));
}

void on_read(uv_stream_t* st, ssize_t n, const uv_buf_t*) {
  auto* h = reinterpret_cast<uv_handle_t*>(st);
  proc_core* c = core_of(h);
  int s = stream_of(c, h);
  if (n == 0) return;  // nothing read (EAGAIN)
  if (n > 0) {
    c->out[s].len += static_cast<size_t>(n);
    if (c->out[s].len >= backlog_cap && !c->read_stopped[s]) {
      uv_read_stop(st);
      c->read_stopped[s] = true;
    }
  } else {
    if (n != UV_EOF && !c->error[s]) c->error[s] = static_cast<int>(-n);
    close_pipe(c, s);
  }
  after_event(c);
}

struct write_req {
  uv_write_t req;
  uint64_t last_seq;
};

void on_write(uv_write_t* req, int status) {
  auto* c = static_cast<proc_core*>(req->data);
  auto* w = reinterpret_cast<write_req*>(req);
  c->seq_done = w->last_seq;
  delete w;
  c->writes_in_flight--;
  if (status < 0 && status != UV_ECANCELED) {
    if (!c->error[std_in]) c->error[std_in] = -status;
    close_pipe(c, std_in);  // drops what is still queued
  } else if (c->eof_queued && c->writes_in_flight == 0) {
    close_pipe(c, std_in);
  }
  after_event(c);
}

// Reads what the pipe of stream `s` already holds, without blocking, before
// it is closed at the drain deadline: output written just before the exit
// may not have been polled yet (always so with drain_timeout = 0).
void read_rest(proc_core* c, int s) {
  uv_os_fd_t fd;
  if (!c->pipe_open[s] || uv_fileno(reinterpret_cast<uv_handle_t*>(&c->pipe[s]), &fd) < 0)
    return;
  out_buffer& b = c->out[s];
  for (size_t total = 0; total < 4 * backlog_cap;) {
    if (b.cap - b.len < read_chunk) {
      auto* p = static_cast<char*>(realloc(b.data, b.len + read_chunk));
      if (!p) return;
      b.data = p;
      b.cap = b.len + read_chunk;
    }
    ssize_t n = retry_eintr([&] { return read(fd, b.data + b.len, b.cap - b.len); });
    if (n <= 0) return;  // EOF, EAGAIN or an error: the pipe is closed next
    b.len += static_cast<size_t>(n);
    total += static_cast<size_t>(n);
  }
}

void on_drain_timer(uv_timer_t* t) {
  proc_core* c = core_of(reinterpret_cast<uv_handle_t*>(t));
  // A paused stream is waiting for the consumer, not for the pipe: that
  // time does not count against drain_timeout.
  for (int s : {std_out, std_err}) {
    if (c->pipe_open[s] && c->read_stopped[s]) {
      uv_timer_start(t, on_drain_timer, c->drain_ms, 0);
      return;
    }
  }
  for (int s : {std_out, std_err}) {
    read_rest(c, s);
    close_pipe(c, s);
  }
  close_pipe(c, std_in);
  after_event(c);
}

void on_kill_timer(uv_timer_t* t) {
  proc_core* c = core_of(reinterpret_cast<uv_handle_t*>(t));
  if (c->kill_stage == 0) {
    c->timed_out = true;
    c->kill_stage = 1;
    send_signal(c, SIGTERM);
    uv_timer_start(t, on_kill_timer, kill_grace_ms, 0);
  } else {
    send_signal(c, SIGKILL);
  }
}

// Closes the exit watcher (and the pidfd) once the child is reaped.
void close_watcher(proc_core* c) {
  if (!c->process_open) return;
  c->process_open = false;
  if (c->pidfd >= 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->exit_poll), on_close);
    close(c->pidfd);  // uv_close has already taken it off the loop
    c->pidfd = -1;
  } else {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->exit_signal), on_close);
  }
}

// Records the wait status `st` of waitpid's result `r`. A child gone
// without a status (a program that sets SIGCHLD to SIG_IGN has its
// children reaped by the kernel) ended with `lost_signal`, or 0 = exit 0.
void record_status(proc_core* c, pid_t r, int st, int lost_signal) {
  c->exited = true;
  if (r != c->pid)
    c->term_signal = lost_signal;
  else if (WIFSIGNALED(st))
    c->term_signal = WTERMSIG(st);
  else
    c->exit_status = WEXITSTATUS(st);
}

// The pidfd became readable or some child changed state: reap ours if it
// has exited.
void check_exit(proc_core* c) {
  int st = 0;
  pid_t r = retry_eintr([&] { return waitpid(c->pid, &st, WNOHANG); });
  if (r == 0 || (r == c->pid && !WIFEXITED(st) && !WIFSIGNALED(st))) return;
  record_status(c, r, st, 0);
  close_watcher(c);
  uv_timer_stop(&c->kill_timer);
  if (!io_settled(c)) uv_timer_start(&c->drain_timer, on_drain_timer, c->drain_ms, 0);
  after_event(c);
}

void on_pidfd(uv_poll_t* h, int, int) { check_exit(core_of(reinterpret_cast<uv_handle_t*>(h))); }

void on_sigchld(uv_signal_t* h, int) { check_exit(core_of(reinterpret_cast<uv_handle_t*>(h))); }

// Whether the kernel gives pidfds (Linux 5.3) and the sandbox allows them,
// asked once; IPC_PROC_NO_PIDFD=1 in the environment says no, so that the
// SIGCHLD path can be tested on any machine.
bool have_pidfd() {
  static const bool ok = [] {
    const char* off = getenv("IPC_PROC_NO_PIDFD");
    if (off && *off && strcmp(off, "0") != 0) return false;
    int fd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
    if (fd >= 0) close(fd);
    return fd >= 0;
  }();
  return ok;
}

// What becomes the child's stdin, stdout and stderr.
struct child_stdio {
  int fd[3] = {-1, -1, -1};     // dup2'd onto fd s; -1: see null
  bool null[3] = {};            // /dev/null; neither: the parent's own fd s
  int owned[3] = {-1, -1, -1};  // ours to close once the child has started
  ~child_stdio() {
    for (int o : owned)
      if (o >= 0) close(o);
  }
};

// A close-on-exec duplicate of `fd` numbered 3 or above, so that no dup2
// onto 0..2 in the child can overwrite the source of another; or -1.
int dup_above_stdio(int fd) { return fcntl(fd, F_DUPFD_CLOEXEC, 3); }

// A close-on-exec pipe whose ends are both 3 or above: in a program
// started with a standard stream closed, pipe2 may return 0..2, which would
// then pass for that stream.
int make_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) return errno;
  int err = 0;
  for (int i = 0; i < 2; i++) {
    if (fds[i] >= 3) continue;
    int moved = dup_above_stdio(fds[i]);
    if (moved < 0) err = errno;
    close(fds[i]);
    fds[i] = moved;
  }
  if (err) {
    for (int i = 0; i < 2; i++)
      if (fds[i] >= 0) close(fds[i]);
  }
  return err;
}

// posix_spawn with the file actions and attributes that give the child
// exactly its three streams, default signal handling, an empty signal mask
// and, with `group`, a session of its own. Returns 0 or an errno.
int spawn_at(const char* path, char** argv, const spawn_request& req, const child_stdio& io,
             pid_t* pid) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  if (int e = posix_spawn_file_actions_init(&fa)) return e;
  if (int e = posix_spawnattr_init(&at)) {
    posix_spawn_file_actions_destroy(&fa);
    return e;
  }
  int err = 0;
  for (int s = 0; s < 3 && !err; s++) {
    if (io.fd[s] >= 0)
      err = posix_spawn_file_actions_adddup2(&fa, io.fd[s], s);
    else if (io.null[s])
      err = posix_spawn_file_actions_addopen(&fa, s, "/dev/null", O_RDWR, 0);
  }
  if (!err) err = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  if (!err && req.cwd) err = posix_spawn_file_actions_addchdir_np(&fa, req.cwd);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (req.group) flags |= POSIX_SPAWN_SETSID;
  if (!err) err = posix_spawnattr_setsigmask(&at, &none);
  if (!err) err = posix_spawnattr_setsigdefault(&at, &all);
  if (!err) err = posix_spawnattr_setflags(&at, flags);
  if (!err) err = posix_spawn(pid, path, &fa, &at, argv, req.env ? req.env : environ);
  posix_spawnattr_destroy(&at);
  posix_spawn_file_actions_destroy(&fa);
  return err;
}

// Starts the program at `path`; like execvp, a file the kernel cannot
// execute (a script without "#!") is run by /bin/sh.
int spawn_file(const char* path, const spawn_request& req, const child_stdio& io, pid_t* pid) {
  int err = spawn_at(path, req.args, req, io, pid);
  if (err != ENOEXEC) return err;
  size_t n = 0;
  while (req.args[n]) n++;
  auto** argv = static_cast<char**>(malloc((n + 2) * sizeof(char*)));
  if (!argv) return ENOMEM;
  argv[0] = const_cast<char*>("/bin/sh");
  argv[1] = const_cast<char*>(path);
  for (size_t i = 1; i <= n; i++) argv[i + 1] = req.args[i];  // with the final nullptr
  err = spawn_at("/bin/sh", argv, req, io, pid);
  free(argv);
  return err;
}

// The PATH the child will have.
const char* child_path(char** env) {
  if (!env) return getenv("PATH");
  for (char** e = env; *e; e++)
    if (strncmp(*e, "PATH=", 5) == 0) return *e + 5;
  return nullptr;
}

// Starts req.file, searched like execvp does when it has no '/': each
// directory of the child's PATH in turn (an empty entry is the current
// directory), skipping those where it is missing or not executable. A
// relative entry names a directory under the child's cwd, which only the
// child can try.
int spawn_child(const spawn_request& req, const child_stdio& io, pid_t* pid) {
  const char* file = req.file;
  if (!*file) return ENOENT;
  if (strchr(file, '/')) return spawn_file(file, req, io, pid);
  const char* path = child_path(req.env);
  if (!path) path = "/bin:/usr/bin";
  size_t flen = strlen(file);
  int err = ENOENT;
  for (const char* p = path;; p++) {
    const char* end = strchrnul(p, ':');
    size_t dlen = static_cast<size_t>(end - p);
    char full[4096];
    if (dlen + 1 + flen < sizeof full) {
      memcpy(full, p, dlen);
      size_t at = dlen;
      if (dlen) full[at++] = '/';
      memcpy(full + at, file, flen + 1);
      if ((req.cwd && full[0] != '/') || access(full, X_OK) == 0) {
        int e = spawn_file(full, req, io, pid);
        if (e != EACCES && e != ENOENT && e != ENOTDIR) return e;
        if (e == EACCES) err = EACCES;
      } else if (errno == EACCES) {
        err = EACCES;
      }
    }
    if (!*end) return err;
    p = end;
  }
}

// Closes every handle of a core that no Lua handle refers to any more.
void close_all(proc_core* c) {
  c->notify = nullptr;
  c->owner = nullptr;
  c->detached = true;
  for (int s = 0; s < 3; s++) close_pipe(c, s);
  close_watcher(c);
  close_timer(&c->kill_timer);
  close_timer(&c->drain_timer);
  close_timer(&c->wait_timer);
}

}  // namespace

int start(uv_loop_t* loop, const spawn_request& req, proc_core** out) {
  auto* c = new (std::nothrow) proc_core();
  if (!c) return ENOMEM;
  c->loop = loop;
  c->group = req.group;
  c->drain_ms = to_ms(req.drain_timeout);
  for (uv_timer_t* t : {&c->kill_timer, &c->drain_timer, &c->wait_timer}) {
    uv_timer_init(loop, t);
    t->data = c;
    c->live++;
  }
  child_stdio io;
  int err = 0;
  for (int s = 0; s < 3 && !err; s++) {
    switch (req.kind[s]) {
      case stdio_pipe: {
        // A pipe, not the socketpair libuv would make: the kernel moves
        // bulk data through a pipe faster.
        int fds[2];
        if ((err = make_pipe(fds))) break;
        c->big_pipe[s] = enlarge_pipe(fds[0]);
        int mine = s == std_in ? fds[1] : fds[0];
        io.fd[s] = io.owned[s] = s == std_in ? fds[0] : fds[1];
        uv_pipe_init(loop, &c->pipe[s], 0);
        c->pipe[s].data = c;
        c->live++;
        c->pipe_open[s] = true;
        if (int r = uv_pipe_open(&c->pipe[s], mine)) {  // makes it non-blocking
          close(mine);
          err = -r;
        }
        break;
      }
      case stdio_fd:
        io.fd[s] = req.fd[s];
        if (io.fd[s] < 3) {
          io.fd[s] = io.owned[s] = dup_above_stdio(req.fd[s]);
          if (io.fd[s] < 0) err = errno;
        }
        break;
      case stdio_inherit: {
        // The program's own stream, unless it has none (closed, or a
        // close-on-exec descriptor of some library in its place).
        int flags = fcntl(s, F_GETFD);
        io.null[s] = flags < 0 || (flags & FD_CLOEXEC);
        break;
      }
    }
  }
  // The exit watcher: a pidfd after the spawn, or SIGCHLD from before it,
  // so that an early exit cannot be missed.
  c->pidfd = -1;
  bool by_pidfd = have_pidfd();
  if (!err && !by_pidfd) {
    uv_signal_init(loop, &c->exit_signal);
    c->exit_signal.data = c;
    c->live++;
    c->process_open = true;
    err = -uv_signal_start(&c->exit_signal, on_sigchld, SIGCHLD);
  }
  pid_t pid = 0;
  if (!err) err = spawn_child(req, io, &pid);
  if (err) {
    close_all(c);
    return err;
  }
  c->pid = pid;
  if (by_pidfd) {
    int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0 || uv_poll_init(loop, &c->exit_poll, fd) < 0) {
      err = fd < 0 ? errno : EBADF;
      if (fd >= 0) close(fd);
      kill(pid, SIGKILL);
      retry_eintr([&] { return waitpid(pid, nullptr, 0); });
      close_all(c);
      return err;
    }
    c->pidfd = fd;
    c->exit_poll.data = c;
    c->live++;
    c->process_open = true;
    uv_poll_start(&c->exit_poll, UV_READABLE, on_pidfd);
  }
  for (int s : {std_out, std_err}) {
    if (c->pipe_open[s]) {
      int r = uv_read_start(reinterpret_cast<uv_stream_t*>(&c->pipe[s]), on_alloc, on_read);
      if (r < 0) {
        c->error[s] = -r;
        close_pipe(c, s);
      }
    }
  }
  // The loop's clock only advances while it runs: refresh it, or a loop
  // that sat idle would fire the timer early.
  uv_update_time(loop);
  if (req.timeout > 0) uv_timer_start(&c->kill_timer, on_kill_timer, to_ms(req.timeout), 0);
  *out = c;
  return 0;
}

bool has_pending(const proc_core* c) {
  return c->out[std_out].len || c->out[std_err].len || c->error[std_in] ||
         c->error[std_out] || c->error[std_err];
}

void consumed(proc_core* c, int s) {
  c->out[s].len = 0;
  c->out[s].off = 0;
  if (c->read_stopped[s]) {
    c->read_stopped[s] = false;
    if (c->pipe_open[s])
      uv_read_start(reinterpret_cast<uv_stream_t*>(&c->pipe[s]), on_alloc, on_read);
  }
}

bool finished(const proc_core* c) {
  return c->exited && io_settled(c) && !has_pending(c);
}

int write(proc_core* c, const uv_buf_t* bufs, unsigned n, uint64_t last_seq) {
  if (!c->pipe_open[std_in]) return EPIPE;
  auto* w = new (std::nothrow) write_req;
  if (!w) return ENOMEM;
  w->last_seq = last_seq;
  w->req.data = c;
  int r = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&c->pipe[std_in]), bufs, n,
                   on_write);
  if (r < 0) {
    delete w;
    return -r;
  }
  c->writes_in_flight++;
  return 0;
}

void write_eof(proc_core* c) {
  c->eof_queued = true;
  if (c->writes_in_flight == 0) close_pipe(c, std_in);
}

bool stdin_open(const proc_core* c) { return c->pipe_open[std_in]; }

int send_signal(proc_core* c, int sig) {
  int r;
  if (c->group)
    r = kill(-c->pid, sig);
  else if (c->exited)
    return ESRCH;  // reaped: the pid may belong to someone else by now
  else
    r = kill(c->pid, sig);
  return r < 0 ? errno : 0;
}

void destroy(proc_core* c, bool* exited, int64_t* status, int* signal) {
  if (c->group) kill(-c->pid, SIGKILL);
  if (!c->exited && c->process_open) {
    kill(c->pid, SIGKILL);
    int st = 0;
    pid_t r = retry_eintr([&] { return waitpid(c->pid, &st, 0); });
    record_status(c, r, st, SIGKILL);
    close_watcher(c);
  }
  *exited = c->exited;
  *status = c->exit_status;
  *signal = c->term_signal;
  close_all(c);
}

}  // namespace ipc::proc
