// What the running system offers for processes, for require("ipc").platform
// and for ipc.proc: the OS's name, pidfds, signals beyond term/kill, and a
// way for a child to die with its parent. OS calls only.
#pragma once

#include <sys/types.h>

namespace ipc::platform {

// "linux", "macos", "freebsd", "windows", ...
const char* os_name();

// True when this build has ipc.proc (false on Windows for now: its calls
// return nil, message, ENOTSUP).
bool have_proc();

// True when pidfd_open works here (probed once: kernels before 5.3 and
// some sandboxes refuse it).
bool have_pidfd();

// True when processes can be sent signals by name beyond term and kill.
bool have_signals();

// True when the kernel lets a pipe's buffer grow (Linux: F_SETPIPE_SZ;
// see platform/spawn.hpp's resize_pipe).
bool have_pipe_resize();

// True when a child can be made to die with its parent.
bool have_die_with_parent();

// In a forked child, before exec (async-signal-safe): has the child killed
// with SIGKILL when its parent ends. `parent` is the parent's pid read
// before the fork: a parent that died before the request took effect is
// seen here, and the child kills itself. Returns 0 or an errno (ENOTSUP
// where have_die_with_parent() is false).
int die_with_parent(pid_t parent);

}  // namespace ipc::platform
