// Process-wide guarantees that several modules rely on: the module stays
// loaded once it owns a signal or fork handler, SIGPIPE cannot kill the
// host, and handles can tell whether the running process made them.
#pragma once

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

// A number that changes in the child of every fork() (a pthread_atfork
// handler bumps it): a handle compares it with the one it recorded when
// it was made (see handle.hpp, owned_here).
unsigned process_generation();

}  // namespace ipc
