// Starting a child process on POSIX: exactly the child's three streams
// (every other descriptor closed), default signal handling, an empty
// signal mask, a session of its own for `group` and `detach`, and the
// program searched like execvp does, in the PATH the child will have. The
// common case takes posix_spawn where the C library can do all of that
// (platform/spawn.hpp); a detached child, one that dies with its parent,
// and every child where posix_spawn cannot, are forked and exec'd
// (fork_exec.cpp). No Lua, no libuv: testable alone.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include "../request.hpp"

namespace ipc::proc {

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
int dup_above_stdio(int fd);

// A close-on-exec pipe whose ends are both 3 or above: in a program
// started with a standard stream closed, pipe2 may return 0..2, which would
// then pass for that stream. Returns 0 or an errno.
int make_pipe(int fds[2]);

// 0 when `cwd` is a directory the child can enter, else why not (an
// errno: ENOENT, ENOTDIR, EACCES, ...).
int cwd_error(const char* cwd);

// Starts req.file (see above); returns 0 or an errno. A detached child is
// not a child of this process: *pid is the program's pid, and nothing is
// left to reap.
int spawn_child(const spawn_request& req, const child_stdio& io, pid_t* pid);

// The fork and exec path: starts the program at `path` with `argv` as
// spawn_child describes; exec failures come back as their errno.
int fork_exec(const char* path, char** argv, const spawn_request& req,
              const child_stdio& io, pid_t* pid);

// Whether the kernel gives pidfds and the sandbox allows them (asked once);
// IPC_PROC_NO_PIDFD=1 in the environment says no.
bool have_pidfd();

}  // namespace ipc::proc
