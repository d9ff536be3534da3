// The POSIX half of the process engine (see engine.hpp): a child started
// by spawn.cpp with pipes of our own (enlarged where the kernel allows),
// its exit watched by exit_watch.cpp, pulled pipes read directly, signals
// sent with kill(2), and the release that kills and reaps it.
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <initializer_list>
#include <new>

#include "../../core/status.hpp"
#include "../../platform/spawn.hpp"
#include "exit_watch.hpp"
#include "spawn.hpp"

namespace ipc::proc {
namespace engine {
namespace {

// Pipes get buffer_bytes() of kernel buffer instead of 64 KiB where that is
// more: a child such as cat moves 128 KiB per read and write, and through a
// 64 KiB pipe both sides wake up for every few pages freed. The kernel
// counts the buffers against the user's pipe-user-pages-soft (64 MiB by
// default), past which every new pipe of that user gets a single page, so
// at most 32 pipes of this process (8 MiB at most) are enlarged at a time;
// the others keep 64 KiB.
constexpr int big_pipe_max = 32;

bool enlarge_pipe(int fd) {
  if (buffer_bytes() <= plain_pipe_bytes) return false;
  if (big_pipes.fetch_add(1) < big_pipe_max &&
      platform::resize_pipe(fd, static_cast<int>(buffer_bytes())))
    return true;
  big_pipes.fetch_sub(1);
  return false;
}

// The pid of a reaped child may belong to another process by now.
bool signalable(const child* c) {
  return !c->exited;
}

}  // namespace

// Reads what the pipe of stream `s` already holds, without blocking, before
// it is closed at the drain deadline: output written just before the exit
// may not have been polled yet (always so with drain_timeout = 0). At most
// four pipes' worth: the backlog cap, shared among children, is no bound
// on what one pipe holds.
void read_rest(child* c, int s) {
  uv_os_fd_t fd;
  if (!c->pipe_open[s] ||
      uv_fileno(reinterpret_cast<uv_handle_t*>(&c->pipe[s]), &fd) < 0)
    return;
  out_buffer& b = c->out[s];
  for (size_t total = 0; total < 4 * buffer_bytes();) {
    if (b.cap - b.len < read_chunk) {
      auto* p = static_cast<char*>(realloc(b.data, b.len + read_chunk));
      if (!p) return;
      b.data = p;
      b.cap = b.len + read_chunk;
    }
    ssize_t n =
        retry_eintr([&] { return read(fd, b.data + b.len, b.cap - b.len); });
    if (n <= 0) return;  // EOF, EAGAIN or an error: the pipe is closed next
    b.len += static_cast<size_t>(n);
    total += static_cast<size_t>(n);
  }
}

}  // namespace engine

using namespace engine;

int child_start(loop_state* ls, const spawn_request& req, child** out) {
  child* c = child_new(ls, req);
  if (!c) return ENOMEM;
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
        uv_pipe_init(c->loop, &c->pipe[s], 0);
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
      case stdio_null:
        io.null[s] = true;
        break;
      case stdio_merge:  // stderr where stdout went (set up just before)
        io.fd[s] = io.fd[std_out];
        io.null[s] = io.null[std_out];
        if (io.fd[s] < 0 && !io.null[s]) io.fd[s] = std_out;  // dup2(1, 2)
        break;
    }
  }
  // The exit watcher: a pidfd after the spawn, or a polling timer.
  c->watch.pidfd = -1;
  bool by_pidfd = have_pidfd() && !req.detach;
  if (!err && !by_pidfd && !req.detach) {
    uv_timer_init(c->loop, &c->watch.timer);
    c->watch.timer.data = c;
    c->live++;
    c->process_open = true;
  }
  pid_t pid = 0;
  if (!err) err = spawn_child(req, io, &pid);
  if (err) {
    close_all(c);
    return err;
  }
  c->pid = pid;
  if (req.detach) {
    // Nothing to watch: the child belongs to init, its status to no one.
    c->unwatched = true;
    c->exited = true;
    c->status_lost = true;
  } else if (by_pidfd) {
    int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0 && errno == ESRCH) {
      // Gone already, reaped by the kernel (SIGCHLD ignored) or by other
      // code: its status is lost.
      c->exited = true;
      c->status_lost = true;
    } else if (fd < 0 || uv_poll_init(c->loop, &c->watch.poll, fd) < 0) {
      err = fd < 0 ? errno : EBADF;
      if (fd >= 0) close(fd);
      kill(pid, SIGKILL);
      retry_eintr([&] { return waitpid(pid, nullptr, 0); });
      close_all(c);
      return err;
    } else {
      c->watch.pidfd = fd;
      c->watch.poll.data = c;
      c->live++;
      c->process_open = true;
      uv_poll_start(&c->watch.poll, UV_READABLE, on_pidfd);
    }
  } else {
    c->watch.poll_ms = exit_poll_first_ms;
    uv_timer_start(&c->watch.timer, on_exit_timer, c->watch.poll_ms, 0);
  }
  child_begin(c, req);
  *out = c;
  return 0;
}

int child_pipe_fd(const child* c, int s) {
  uv_os_fd_t fd;
  if (!c->pipe_open[s] ||
      uv_fileno(reinterpret_cast<const uv_handle_t*>(&c->pipe[s]), &fd) < 0)
    return -1;
  return fd;
}

int child_pull(child* c, int s) {
  int fd = child_pipe_fd(c, s);
  if (fd < 0) return 0;
  out_buffer& b = c->out[s];
  ssize_t n = -1;
  int err = ENOMEM;
  if (pull_reserve(b, pull_chunk)) {
    n = retry_eintr([&] { return read(fd, b.data + b.len, b.cap - b.len); });
    err = errno;
  }
  if (n > 0) {
    b.len += static_cast<size_t>(n);
    return 1;
  }
  if (n < 0 && (err == EAGAIN || err == EWOULDBLOCK)) {
    start_reading(c, s);
    return c->pipe_open[s] ? -1 : 0;
  }
  if (n < 0 && !c->error[s]) c->error[s] = err;
  close_pipe(c, s);
  after_event(c);
  return 0;
}

int child_handoff(child* c, int s) {
  int fd = child_pipe_fd(c, s);
  if (fd < 0 || !c->read_stopped[s]) return -1;
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) return -1;
  return fd;
}

void child_handoff_done(child* c, int s, bool taken) {
  if (taken) {
    child_close_stream(c, s);
    return;
  }
  int fd = child_pipe_fd(c, s);
  int flags = fd < 0 ? -1 : fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int child_signal(child* c, int sig) {
  int r;
  if (c->unwatched)
    r = kill(c->group ? -c->pid : c->pid, sig);
  else if (c->group)
    r = kill(-c->pid, sig);  // the group outlives its leader
  else if (!signalable(c))
    return ESRCH;
  else
    r = kill(c->pid, sig);
  return r < 0 ? errno : 0;
}

void child_release(child* c, bool owner) {
  if (!owner) {
    // A copy inherited through fork: close this process's descriptors and
    // leave the record (and the parent's loop, child and group) alone.
    for (int s = 0; s < 3; s++) {
      uv_os_fd_t fd;
      if (c->pipe_open[s] &&
          uv_fileno(reinterpret_cast<uv_handle_t*>(&c->pipe[s]), &fd) == 0)
        close(fd);
    }
    if (c->watch.pidfd >= 0) close(c->watch.pidfd);
    return;
  }
  if (c->group && !c->unwatched) kill(-c->pid, SIGKILL);
  if (!c->exited && c->process_open) {
    kill(c->pid, SIGKILL);
    int st = 0;
    pid_t r = retry_eintr([&] { return waitpid(c->pid, &st, 0); });
    record_status(c, r, st);
    close_watcher(c);
  }
  close_all(c);
}

}  // namespace ipc::proc
