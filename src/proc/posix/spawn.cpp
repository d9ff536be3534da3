// Starting a child process (see spawn.hpp).
#include "spawn.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "../../core/runtime.hpp"
#include "../../platform/process.hpp"
#include "../../platform/spawn.hpp"

extern char** environ;

namespace ipc::proc {

namespace {
// posix_spawn for the common case, where the C library can; fork and exec
// for what posix_spawn cannot do (detach, die_with_parent) and where it
// cannot close descriptors or change directory. Returns 0 or an errno.
int spawn_at(const char* path, char** argv, const spawn_request& req,
             const child_stdio& io, pid_t* pid) {
  if (req.detach || req.die_with_parent || !platform::have_spawn_np())
    return fork_exec(path, argv, req, io, pid);
  return platform::spawn_np(path, argv, req.env ? req.env : environ, io.fd,
                            io.null, req.cwd, req.group, pid);
}

// Starts the program at `path`; like execvp, a file the kernel cannot
// execute (a script without "#!") is run by /bin/sh.
int spawn_file(const char* path, const spawn_request& req,
               const child_stdio& io, pid_t* pid) {
  int err = spawn_at(path, req.args, req, io, pid);
  if (err != ENOEXEC) return err;
  size_t n = 0;
  while (req.args[n]) n++;
  auto** argv = static_cast<char**>(malloc((n + 2) * sizeof(char*)));
  if (!argv) return ENOMEM;
  argv[0] = const_cast<char*>("/bin/sh");
  argv[1] = const_cast<char*>(path);
  for (size_t i = 1; i <= n; i++)
    argv[i + 1] = req.args[i];  // with the final nullptr
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

}  // namespace

// Whether the kernel gives pidfds (Linux 5.3) and the sandbox allows them,
// asked once; IPC_PROC_NO_PIDFD=1 in the environment says no, so that the
// polling path can be tested on any machine.
bool have_pidfd() {
  static std::atomic<int> off{-1}, ok{-1};  // -1: not asked yet
  if (env_switch("IPC_PROC_NO_PIDFD", &off)) return false;
  int v = ok.load(std::memory_order_relaxed);
  if (v < 0) {
    v = platform::have_pidfd();
    ok.store(v, std::memory_order_relaxed);
  }
  return v != 0;
}

// A close-on-exec duplicate of `fd` numbered 3 or above, so that no dup2
// onto 0..2 in the child can overwrite the source of another; or -1.
int dup_above_stdio(int fd) {
  return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

// A close-on-exec pipe whose ends are both 3 or above: in a program
// started with a standard stream closed, pipe2 may return 0..2, which would
// then pass for that stream.
int make_pipe(int fds[2]) {
  int err = platform::cloexec_pipe(fds);
  if (err) return err;
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

// Starts req.file, searched like execvp does when it has no '/': each
// directory of the child's PATH in turn (an empty entry is the current
// directory), skipping those where it is missing or not executable. A
// relative entry names a directory under the child's cwd, which only the
// child can try.
namespace {

int search_and_spawn(const spawn_request& req, const child_stdio& io,
                     pid_t* pid) {
  const char* file = req.file;
  if (!*file) return ENOENT;
  if (req.die_with_parent && !platform::have_die_with_parent()) return ENOTSUP;
  if (strchr(file, '/')) return spawn_file(file, req, io, pid);
  const char* path = child_path(req.env);
  if (!path) path = "/bin:/usr/bin";
  size_t flen = strlen(file);
  int err = ENOENT;
  for (const char* p = path;; p++) {
    const char* end = p + strcspn(p, ":");
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

}  // namespace

int cwd_error(const char* cwd) {
  int fd = open(cwd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  close(fd);
  return access(cwd, X_OK) == 0 ? 0 : errno;
}

// A start that failed for want of a file may have failed for cwd: every
// candidate of the PATH search then fails alike, and the search reports
// ENOENT. What is wrong with cwd is the answer then.
int spawn_child(const spawn_request& req, const child_stdio& io, pid_t* pid) {
  int err = search_and_spawn(req, io, pid);
  if (req.cwd && (err == ENOENT || err == ENOTDIR || err == EACCES))
    if (int e = cwd_error(req.cwd)) return e;
  return err;
}

}  // namespace ipc::proc
