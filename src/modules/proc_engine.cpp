// The process engine of ipc.proc (see proc_engine.hpp).
#include "proc_engine.hpp"

#include "../core/process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <initializer_list>
#include <new>

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
    ssize_t n;
    do {
      n = read(fd, b.data + b.len, b.cap - b.len);
    } while (n < 0 && errno == EINTR);
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

void on_exit(uv_process_t* p, int64_t status, int sig) {
  proc_core* c = core_of(reinterpret_cast<uv_handle_t*>(p));
  c->exited = true;
  c->exit_status = status;
  c->term_signal = sig;
  c->process_open = false;
  uv_close(reinterpret_cast<uv_handle_t*>(p), on_close);
  uv_timer_stop(&c->kill_timer);
  if (!io_settled(c)) uv_timer_start(&c->drain_timer, on_drain_timer, c->drain_ms, 0);
  after_event(c);
}

// Closes every handle of a core that no Lua handle refers to any more.
void close_all(proc_core* c) {
  c->notify = nullptr;
  c->owner = nullptr;
  c->detached = true;
  for (int s = 0; s < 3; s++) close_pipe(c, s);
  if (c->process_open) {
    c->process_open = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->process), on_close);
  }
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
  uv_stdio_container_t stdio[3];
  for (int s = 0; s < 3; s++) {
    switch (req.kind[s]) {
      case stdio_pipe:
        uv_pipe_init(loop, &c->pipe[s], 0);
        c->pipe[s].data = c;
        c->live++;
        c->pipe_open[s] = true;
        stdio[s].flags = static_cast<uv_stdio_flags>(
            UV_CREATE_PIPE | (s == std_in ? UV_READABLE_PIPE : UV_WRITABLE_PIPE));
        stdio[s].data.stream = reinterpret_cast<uv_stream_t*>(&c->pipe[s]);
        break;
      case stdio_fd:
        stdio[s].flags = UV_INHERIT_FD;
        stdio[s].data.fd = req.fd[s];
        break;
      case stdio_inherit:
        stdio[s].flags = UV_INHERIT_FD;
        stdio[s].data.fd = s;
        break;
    }
  }
  uv_process_options_t opt{};
  opt.exit_cb = on_exit;
  opt.file = req.file;
  opt.args = req.args;
  opt.env = req.env;
  opt.cwd = req.cwd;
  opt.flags = req.group ? UV_PROCESS_DETACHED : 0;  // setsid(): new group
  opt.stdio_count = 3;
  opt.stdio = stdio;
  // Only the stdio given above may reach the child, also when the program
  // holds inheritable descriptors (Lua's own files are).
  // Best effort: should listing them fail (no /proc), nothing is marked.
  ipc::inherit_guard guard;
  ipc::inherit_guard_arm(&guard);
  int r = uv_spawn(loop, &c->process, &opt);
  ipc::inherit_guard_release(&guard);
  c->process.data = c;
  c->live++;
  c->process_open = true;
  if (r < 0) {
    close_all(c);
    return -r;
  }
  c->pid = c->process.pid;
  for (int s : {std_out, std_err}) {
    if (c->pipe_open[s]) {
      r = uv_read_start(reinterpret_cast<uv_stream_t*>(&c->pipe[s]), on_alloc, on_read);
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
    // Closing the process handle takes it off libuv's list of children, so
    // reaping it here cannot race with libuv's own SIGCHLD handling.
    c->process_open = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->process), on_close);
    int st = 0;
    pid_t r;
    do {
      r = waitpid(c->pid, &st, 0);
    } while (r < 0 && errno == EINTR);
    c->exited = true;
    if (r == c->pid && WIFEXITED(st)) {
      c->exit_status = WEXITSTATUS(st);
    } else {
      c->term_signal = r == c->pid && WIFSIGNALED(st) ? WTERMSIG(st) : SIGKILL;
    }
  }
  *exited = c->exited;
  *status = c->exit_status;
  *signal = c->term_signal;
  close_all(c);
}

}  // namespace ipc::proc
