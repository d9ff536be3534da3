// The process engine of ipc.proc (see engine.hpp): what every platform
// shares, on libuv alone: reading into the output buffers with their
// backlog cap, writing stdin, the timers, pulled reading's start and stop,
// and closing. Starting a child, watching its exit, signals and the
// release are the platform's (posix/start.cpp, win/start.cpp).
#include "engine.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "../core/alloc.hpp"
#include "../core/status.hpp"
#include "../platform/memory.hpp"
#include "engine_internal.hpp"

namespace ipc::proc {

uint64_t to_ms(double seconds) {
  if (seconds <= 0) return 0;
  double ms = seconds * 1000.0;
  if (ms > 1e15) ms = 1e15;
  uint64_t r = static_cast<uint64_t>(ms);
  return r < ms ? r + 1 : r;  // round up: never wake before the deadline
}

namespace engine {

constexpr uint64_t kill_grace_ms = 1000;

// The backlog and the enlarged pipes are an eighth of the machine's L2
// cache, between 64 and 256 KiB (64 KiB when the OS does not say). The
// bytes in flight pass through the pipe's pages, the backlog and the Lua
// strings, and all of them should stay in the cache: on a 2 MiB L2 256 KiB
// of each was the fastest measured (a 64 KiB backlog: pipe_out 8.6 %
// slower), while on a 512 KiB L2 256 KiB pipes made pipe_roundtrip take
// 1.8 times as long as 64 KiB ones.
// Worked out on first use (any thread may race to it: the answer is the
// same; no guarded static, see core/alloc.hpp).
size_t buffer_bytes() {
  static std::atomic<size_t> bytes{0};
  size_t b = bytes.load(std::memory_order_relaxed);
  if (b) return b;
  b = platform::l2_cache_bytes() / 8;
  b = b < plain_pipe_bytes ? plain_pipe_bytes : b > 256 * 1024 ? 256 * 1024 : b;
  bytes.store(b, std::memory_order_relaxed);
  return b;
}

// Pipes of callback children open for reading, in this process. One run
// of the loop reads every ready pipe up to its cap before anything is
// delivered, so with many children the caps add up: 200 children writing
// at once left 200 × 256 KiB read and not delivered, far past the cache,
// each buffer faulted in (wait_any_fan: 13.9k page faults, 57 MB peak,
// against luv's 3.2k and 3.7 MB). The cap is shared out among them, down to
// one read of 64 KiB each.
std::atomic<int> readers{0};

size_t backlog_cap() {
  size_t n = static_cast<size_t>(readers.load(std::memory_order_relaxed));
  size_t cap = n > 1 ? buffer_bytes() / n : buffer_bytes();
  return cap < read_chunk ? read_chunk : cap;
}

// Pipes whose kernel buffer was enlarged (posix/start.cpp), counted
// against a limit.
std::atomic<int> big_pipes{0};

child* core_of(uv_handle_t* h) {
  return static_cast<child*>(h->data);
}

int stream_of(child* c, uv_handle_t* h) {
  return static_cast<int>(reinterpret_cast<uv_pipe_t*>(h) - c->pipe);
}

void free_core(child* c) {
  for (auto& b : c->out) free(b.data);
  destroy(c);
}

void on_close(uv_handle_t* h) {
  child* c = core_of(h);
  if (--c->live == 0 && c->detached) free_core(c);
}

void close_pipe(child* c, int s) {
  if (!c->pipe_open[s]) return;
  c->pipe_open[s] = false;
  if (c->big_pipe[s]) big_pipes.fetch_sub(1);
  c->big_pipe[s] = false;
  if (c->counted[s]) readers.fetch_sub(1, std::memory_order_relaxed);
  c->counted[s] = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&c->pipe[s]), on_close);
}

void close_timer(uv_timer_t* t) {
  if (uv_is_closing(reinterpret_cast<uv_handle_t*>(t))) return;
  uv_timer_stop(t);
  uv_close(reinterpret_cast<uv_handle_t*>(t), on_close);
}

bool io_settled(const child* c) {
  return !c->pipe_open[std_out] && !c->pipe_open[std_err] &&
         (!c->pipe_open[std_in] || c->writes_in_flight == 0);
}

// The common tail of every libuv callback: stop the drain timer once it has
// no purpose left.
void after_event(child* c) {
  if (c->exited && io_settled(c) && !c->detached)
    uv_timer_stop(&c->drain_timer);
  if (!c->detached) c->ls->dirty = 1;
}

// Room for `want` more bytes after the unconsumed part of a pulled
// stream's buffer: the consumed part is dropped first, then the buffer
// grows geometrically (a read of "a" collects everything).
bool pull_reserve(out_buffer& b, size_t want) {
  if (b.cap - b.len >= want) return true;
  if (b.off) {
    std::memmove(b.data, b.data + b.off, b.len - b.off);
    b.len -= b.off;
    b.off = 0;
    if (b.cap - b.len >= want) return true;
  }
  size_t ncap = b.cap * 2 > b.len + want ? b.cap * 2 : b.len + want;
  auto* p = static_cast<char*>(realloc(b.data, ncap));
  if (!p) return false;
  b.data = p;
  b.cap = ncap;
  return true;
}

// Reading pauses when a read would go past the backlog cap, and only once
// the backlog was not delivered in between: the backlog is normally
// delivered after the loop's run, before it polls again, so the first time
// the run just ends reading (an empty buffer makes libuv report
// UV_ENOBUFS) and the stream stays polled. Stopping and restarting it cost
// two epoll_ctl calls per 256 KiB of pipe_out and pipe_roundtrip. Only a
// poll that finds the backlog still full stops it (libuv 1.44 calls the
// read callback even when alloc stopped reading: only there may it stop).
void on_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  child* c = core_of(h);
  out_buffer& b = c->out[stream_of(c, h)];
  if (c->pulled) {
    if (pull_reserve(b, pull_chunk))
      *buf = uv_buf_init(b.data + b.len, static_cast<unsigned>(b.cap - b.len));
    else
      *buf = uv_buf_init(nullptr, 0);  // libuv reports UV_ENOBUFS
    return;
  }
  if (b.len >= backlog_cap()) {
    *buf = uv_buf_init(nullptr, 0);
    return;
  }
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
  size_t room = b.cap - b.len;
  *buf =
      uv_buf_init(b.data + b.len,
                  static_cast<unsigned>(room < read_chunk ? room : read_chunk));
}

void on_read(uv_stream_t* st, ssize_t n, const uv_buf_t*) {
  auto* h = reinterpret_cast<uv_handle_t*>(st);
  child* c = core_of(h);
  int s = stream_of(c, h);
  if (n == 0) return;  // nothing read (EAGAIN)
  if (n == UV_ENOBUFS && !c->pulled && c->out[s].len >= backlog_cap()) {
    if (c->read_full[s]) {  // still full at the next poll (see on_alloc)
      uv_read_stop(st);
      c->read_stopped[s] = true;
    }
    c->read_full[s] = true;
    return;
  }
  if (n > 0) {
    c->out[s].len += static_cast<size_t>(n);
    if (c->pulled && !c->draining) {  // the read that asked has its piece
      uv_read_stop(st);
      c->read_stopped[s] = true;
    }
  } else {
    if (n != UV_EOF && !c->error[s])
      c->error[s] = errno_of(static_cast<int>(n));
    close_pipe(c, s);
  }
  after_event(c);
}

struct write_req {
  uv_write_t req;
  uint64_t last_seq;
};

// The errno of a failed write to stdin: libuv on Windows reports a pipe
// whose reader is gone as UV_EOF, which POSIX calls EPIPE.
int write_errno(int r) {
  return r == UV_EOF ? EPIPE : errno_of(r);
}

void on_write(uv_write_t* req, int status) {
  auto* c = static_cast<child*>(req->data);
  auto* w = reinterpret_cast<write_req*>(req);
  c->seq_done = w->last_seq;
  destroy(w);
  c->writes_in_flight--;
  c->ls->writing--;
  if (status < 0 && status != UV_ECANCELED) {
    if (!c->error[std_in]) c->error[std_in] = write_errno(status);
    if (!c->stdin_failed) c->stdin_failed = write_errno(status);
    close_pipe(c, std_in);  // drops what is still queued
  } else if (c->eof_queued && c->writes_in_flight == 0) {
    close_pipe(c, std_in);
  }
  after_event(c);
}

void on_drain_timer(uv_timer_t* t) {
  child* c = core_of(reinterpret_cast<uv_handle_t*>(t));
  // A paused stream is waiting for the consumer, not for the pipe: that
  // time does not count against drain_timeout.
  // A pulled stream nobody reads restarts the timer when a read resumes
  // it (start_reading), so that an idle one keeps no loop alive.
  for (int s : {std_out, std_err}) {
    if (c->pipe_open[s] && (c->read_stopped[s] ||
                            (!c->pulled && c->out[s].len >= backlog_cap()))) {
      if (!c->pulled) uv_timer_start(t, on_drain_timer, c->drain_ms, 0);
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

// A child's record with its timers, for the platform's start (nullptr:
// out of memory).
child* child_new(loop_state* ls, const spawn_request& req) {
  auto* c = make<child>();
  if (!c) return nullptr;
  uv_loop_t* loop = ls->loop;
  c->loop = loop;
  c->ls = ls;
  c->group = req.group;
  c->drain_ms = to_ms(req.drain_timeout);
  for (uv_timer_t* t : {&c->kill_timer, &c->drain_timer}) {
    uv_timer_init(loop, t);
    t->data = c;
    c->live++;
  }
  return c;
}

// After the platform started the child: output is read (or waits for the
// program's reads), and the timeout and drain timers run.
void child_begin(child* c, const spawn_request& req) {
  c->pulled = req.pull;
  for (int s : {std_out, std_err}) {
    if (c->pipe_open[s] && c->pulled) {
      c->read_stopped[s] = true;  // until the program asks
    } else if (c->pipe_open[s]) {
      int r = uv_read_start(reinterpret_cast<uv_stream_t*>(&c->pipe[s]),
                            on_alloc, on_read);
      if (r < 0) {
        c->error[s] = errno_of(r);
        close_pipe(c, s);
      } else {
        c->counted[s] = true;
        readers.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  // The loop's clock only advances while it runs: refresh it, or a loop
  // that sat idle would fire the timer early.
  uv_update_time(c->loop);
  if (req.timeout > 0 && !c->exited)
    uv_timer_start(&c->kill_timer, on_kill_timer, to_ms(req.timeout), 0);
  if (c->exited && !io_settled(c))
    uv_timer_start(&c->drain_timer, on_drain_timer, c->drain_ms, 0);
}

void on_kill_timer(uv_timer_t* t) {
  child* c = core_of(reinterpret_cast<uv_handle_t*>(t));
  if (c->kill_stage == 0) {
    c->timed_out = true;
    c->kill_stage = 1;
    child_signal(c, SIGTERM);
    uv_timer_start(t, on_kill_timer, kill_grace_ms, 0);
  } else {
    child_signal(c, SIGKILL);
  }
}

// Closes every handle of a core that no Lua handle refers to any more.
void close_all(child* c) {
  c->detached = true;
  for (int s = 0; s < 3; s++) close_pipe(c, s);
  close_watcher(c);
  close_timer(&c->kill_timer);
  close_timer(&c->drain_timer);
}

}  // namespace engine

using namespace engine;

bool child_has_pending(const child* c) {
  // Pulled output waits for the program's reads, not for a delivery.
  if (c->pulled) return c->error[std_in];
  return c->out[std_out].len || c->out[std_err].len || c->error[std_in] ||
         c->error[std_out] || c->error[std_err];
}

void child_consumed(child* c, int s) {
  c->out[s].len = 0;
  c->out[s].off = 0;
  c->read_full[s] = false;
  if (c->read_stopped[s]) {
    c->read_stopped[s] = false;
    if (c->pipe_open[s])
      uv_read_start(reinterpret_cast<uv_stream_t*>(&c->pipe[s]), on_alloc,
                    on_read);
  }
}

bool child_finished(const child* c) {
  return c->exited && io_settled(c) && !child_has_pending(c);
}

int child_write(child* c, const uv_buf_t* bufs, unsigned n, uint64_t last_seq) {
  if (!c->pipe_open[std_in]) return EPIPE;
  auto* w = make<write_req>();
  if (!w) return ENOMEM;
  w->last_seq = last_seq;
  w->req.data = c;
  int r = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&c->pipe[std_in]),
                   bufs, n, on_write);
  if (r < 0) {
    destroy(w);
    return write_errno(r);
  }
  c->writes_in_flight++;
  c->ls->writing++;
  return 0;
}

void child_write_eof(child* c) {
  c->eof_queued = true;
  if (c->writes_in_flight == 0) close_pipe(c, std_in);
}

bool child_stdin_open(const child* c) {
  return c->pipe_open[std_in];
}

size_t child_stdin_capacity(const child* c) {
  return c->big_pipe[std_in] ? buffer_bytes() : plain_pipe_bytes;
}

size_t child_queued(const child* c) {
  if (!c->pipe_open[std_in]) return 0;
  return uv_stream_get_write_queue_size(
      reinterpret_cast<const uv_stream_t*>(&c->pipe[std_in]));
}

namespace engine {

void start_reading(child* c, int s) {
  if (!c->pipe_open[s] || !c->read_stopped[s]) return;
  int r = uv_read_start(reinterpret_cast<uv_stream_t*>(&c->pipe[s]), on_alloc,
                        on_read);
  if (r < 0) {
    if (!c->error[s]) c->error[s] = errno_of(r);
    close_pipe(c, s);
    return;
  }
  c->read_stopped[s] = false;
  if (c->exited)
    uv_timer_start(&c->drain_timer, on_drain_timer, c->drain_ms, 0);
}

void stop_reading(child* c, int s) {
  if (!c->pipe_open[s] || c->read_stopped[s]) return;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->pipe[s]));
  c->read_stopped[s] = true;
}

}  // namespace engine

void child_pull_stop(child* c, int s) {
  if (!c->draining) stop_reading(c, s);
}

void child_drain(child* c, bool on) {
  c->draining = on;
  for (int s : {std_out, std_err}) {
    if (on)
      start_reading(c, s);
    else
      stop_reading(c, s);
  }
}

void child_close_stream(child* c, int s) {
  close_pipe(c, s);
  out_buffer& b = c->out[s];
  free(b.data);
  b = out_buffer{};
  c->error[s] = 0;
  after_event(c);
}

}  // namespace ipc::proc
