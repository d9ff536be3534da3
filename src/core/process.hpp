// Process-wide guarantees that several modules rely on: the module stays
// loaded once it owns a signal handler, SIGPIPE cannot kill the host, and
// a spawned child inherits no descriptor of ours but those it was given.
#pragma once

#include <cstddef>

namespace ipc {

// Keeps this shared object loaded for the life of the process (a handler
// of ours must never point into unmapped code after lua_close).
void pin_module();

// Catches SIGPIPE with a handler that does nothing, unless the program set
// a disposition of its own: a write to a closed pipe then fails with EPIPE
// instead of killing the host. Unlike SIG_IGN, a caught signal goes back to
// the default across exec, so children of os.execute and io.popen still
// die of SIGPIPE as usual.
void guard_sigpipe();

// Descriptors that must not leak into a child: every descriptor from 3 up
// that is inheritable (Lua's io.open does not use O_CLOEXEC) is marked
// close-on-exec for the duration of a spawn, then restored.
struct inherit_guard {
  int* fds = nullptr;
  size_t n = 0;
};
// Marks them; returns 0 or an errno (then nothing is changed).
int inherit_guard_arm(inherit_guard* g);
// Restores what arm changed and frees the list.
void inherit_guard_release(inherit_guard* g);

}  // namespace ipc
