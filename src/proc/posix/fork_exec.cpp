// The fork and exec path of spawn_child (see spawn.hpp): what posix_spawn
// cannot do portably. Between fork and exec the child makes only
// async-signal-safe calls (the parent may have other threads holding
// locks); whatever fails there is written to a close-on-exec report pipe
// as its errno, so the parent sees exec failures as posix_spawn gives
// them. A detached child is forked twice: the middle process starts the
// program, reports its pid, and exits at once to be reaped here, so the
// program is no child of this process and never its zombie.
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>

#include "../../core/status.hpp"
#include "../../platform/process.hpp"
#include "../../platform/spawn.hpp"
#include "spawn.hpp"

extern char** environ;

namespace ipc::proc {
namespace {

// What goes through the report pipe: the detached program's pid from the
// middle process, or the errno of a step that failed in the child.
struct report {
  int what;
  int value;
};
constexpr int report_pid = 1, report_errno = 2;

// One more than the highest descriptor the child may have inherited.
int descriptor_limit() {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
      rl.rlim_cur > INT_MAX)
    return 1 << 20;
  return static_cast<int>(rl.rlim_cur);
}

void send_report(int fd, int what, int value) {
  report r{what, value};
  // A report is smaller than PIPE_BUF: written whole or not at all.
  while (write(fd, &r, sizeof r) < 0 && errno == EINTR) {
  }
}

[[noreturn]] void fail(int fd, int err) {
  send_report(fd, report_errno, err);
  _exit(127);
}

// Everything the child does before exec needs, prepared by the parent.
struct launch {
  const char* path;
  char** argv;
  char** envp;
  const spawn_request* req;
  const child_stdio* io;
  int report_fd;  // 3 or above
  int fd_limit;
  pid_t parent;
};

// Puts /dev/null on descriptor s.
int null_onto(int s) {
  int n = open("/dev/null", O_RDWR);
  if (n < 0) return errno;
  if (n == s) return 0;
  int r = dup2(n, s);
  int err = r < 0 ? errno : 0;
  close(n);
  return err;
}

// In the forked child: signals, session, streams, descriptors, directory,
// exec. Async-signal-safe calls only.
[[noreturn]] void exec_child(const launch& l) {
  const spawn_request& req = *l.req;
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, nullptr);  // some refuse
  if ((req.group || req.detach) && setsid() < 0) fail(l.report_fd, errno);
  if (req.die_with_parent) {
    if (int e = platform::die_with_parent(l.parent)) fail(l.report_fd, e);
  }
  for (int s = 0; s < 3; s++) {
    int err = 0;
    if (l.io->fd[s] >= 0) {
      if (dup2(l.io->fd[s], s) < 0) err = errno;
    } else if (l.io->null[s]) {
      err = null_onto(s);
    }
    if (err) fail(l.report_fd, err);
  }
  for (int fd = 3; fd < l.report_fd; fd++) close(fd);
  platform::close_from(l.report_fd + 1, l.fd_limit);
  if (req.cwd && chdir(req.cwd) != 0) fail(l.report_fd, errno);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(l.path, l.argv, l.envp);
  fail(l.report_fd, errno);
}

// The middle process of a detached start: forks the program, reports its
// pid and exits, leaving it to init.
[[noreturn]] void detach_child(const launch& l) {
  pid_t pid = fork();
  if (pid < 0) fail(l.report_fd, errno);
  if (pid == 0) exec_child(l);
  send_report(l.report_fd, report_pid, static_cast<int>(pid));
  _exit(0);
}

}  // namespace

int fork_exec(const char* path, char** argv, const spawn_request& req,
              const child_stdio& io, pid_t* pid) {
  int rep[2];
  if (int e = make_pipe(rep)) return e;
  launch l{path, argv,   req.env ? req.env : environ, &req,
           &io,  rep[1], descriptor_limit(),          getpid()};
  // No handler of the parent may run in the child before the defaults are
  // back: every signal is blocked across the fork.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t child = fork();
  if (child == 0) {
    close(rep[0]);
    if (req.detach) detach_child(l);
    exec_child(l);
  }
  int err = child < 0 ? errno : 0;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(rep[1]);
  if (err) {
    close(rep[0]);
    return err;
  }
  // Reports until every writer is gone: the program's exec closed the
  // pipe, or a step failed and said why.
  pid_t started = req.detach ? -1 : child;
  report r;
  for (;;) {
    ssize_t n = retry_eintr([&] { return read(rep[0], &r, sizeof r); });
    if (n != static_cast<ssize_t>(sizeof r)) break;
    if (r.what == report_pid)
      started = r.value;
    else if (!err)
      err = r.value;
  }
  close(rep[0]);
  if (err || req.detach)
    retry_eintr([&] { return waitpid(child, nullptr, 0); });
  if (!err && started < 0) err = ECHILD;  // the middle process died
  if (!err) *pid = started;
  return err;
}

}  // namespace ipc::proc
