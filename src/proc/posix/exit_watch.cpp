// How the process engine sees a child's exit (see engine_internal.hpp):
// a pidfd polled on the loop where the kernel gives one, else waitpid
// polled on a timer that backs off. Either way only the child's own pid is
// reaped, and the program's SIGCHLD disposition is never touched.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "../../core/status.hpp"
#include "exit_watch.hpp"

namespace ipc::proc::engine {

// Closes the exit watcher (and the pidfd) once the child is reaped.
void close_watcher(child* c) {
  if (!c->process_open) return;
  c->process_open = false;
  if (c->watch.pidfd >= 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->watch.poll), on_close);
    close(c->watch.pidfd);  // uv_close has already taken it off the loop
    c->watch.pidfd = -1;
  } else {
    close_timer(&c->watch.timer);
  }
}

// Records the wait status `st` of waitpid's result `r`. A child gone
// without a status (the program ignores SIGCHLD, so the kernel reaped it,
// or other code reaped it) has no status: nothing is invented.
void record_status(child* c, pid_t r, int st) {
  c->exited = true;
  if (r != c->pid)
    c->status_lost = true;
  else if (WIFSIGNALED(st))
    c->term_signal = WTERMSIG(st);
  else
    c->exit_status = WEXITSTATUS(st);
}

// The pidfd became readable, or the polling timer fired: reap the child
// if it has exited.
namespace {

bool check_exit(child* c) {
  int st = 0;
  pid_t r = retry_eintr([&] { return waitpid(c->pid, &st, WNOHANG); });
  if (r == 0 || (r == c->pid && !WIFEXITED(st) && !WIFSIGNALED(st)))
    return false;
  if (r < 0 && errno != ECHILD) return false;
  record_status(c, r, st);
  close_watcher(c);
  uv_timer_stop(&c->kill_timer);
  if (!io_settled(c))
    uv_timer_start(&c->drain_timer, on_drain_timer, c->drain_ms, 0);
  after_event(c);
  return true;
}

}  // namespace

void on_pidfd(uv_poll_t* h, int, int) {
  check_exit(core_of(reinterpret_cast<uv_handle_t*>(h)));
}

void on_exit_timer(uv_timer_t* t) {
  child* c = core_of(reinterpret_cast<uv_handle_t*>(t));
  if (check_exit(c)) return;
  if (c->watch.poll_ms < exit_poll_max_ms) c->watch.poll_ms *= 2;
  uv_timer_start(t, on_exit_timer, c->watch.poll_ms, 0);
}

}  // namespace ipc::proc::engine
