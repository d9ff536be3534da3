// What starting a child needs from the OS beyond fork and exec: a
// close-on-exec pipe and a bigger buffer for it where the kernel allows,
// closing every descriptor above the standard streams
// in a forked child, and posix_spawn with the C library's extensions that
// close descriptors and change directory, where the library has them. OS
// calls only; the engine's spawn (src/proc/spawn.cpp) decides which path a
// child takes.
#pragma once

#include <sys/types.h>

namespace ipc::platform {

// A pipe whose two ends are close-on-exec; returns 0 or an errno.
int cloexec_pipe(int fds[2]);

// Gives the pipe at `fd` a kernel buffer of `bytes`; false where the
// kernel cannot (only Linux resizes pipes; elsewhere they keep their size).
bool resize_pipe(int fd, int bytes);

// In a forked child, between fork and exec (async-signal-safe): closes
// every descriptor numbered `low` or above. `limit` is one more than the
// highest descriptor the process may have, found before the fork.
void close_from(int low, int limit);

// Whether spawn_np can start children here: the C library has
// posix_spawn_file_actions_addclosefrom_np and addchdir_np (glibc 2.34,
// FreeBSD 13.1), and the build did not force the portable paths.
bool have_spawn_np();

// posix_spawn of `path` with exactly the three streams: fd[s] >= 3 is
// dup2'd onto s, null[s] opens /dev/null there, neither leaves the
// parent's s; every descriptor above 2 closed, the directory changed to
// `cwd` (nullptr: kept), default signal handling, an empty signal mask,
// and a session of its own with `new_session`. Returns 0 or an errno
// (ENOSYS where have_spawn_np() is false).
int spawn_np(const char* path, char* const argv[], char* const envp[],
             const int fd[3], const bool null[3], const char* cwd,
             bool new_session, pid_t* pid);

}  // namespace ipc::platform
