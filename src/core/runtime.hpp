// Process-wide guarantees that several modules rely on: the module stays
// loaded once it owns a signal or fork handler, and handles can tell
// whether the running process made them. (SIGPIPE: platform/sigpipe.hpp.)
#pragma once

namespace ipc {

// Keeps this shared object loaded for the life of the process (a handler
// of ours must never point into unmapped code after lua_close).
void pin_module();

// A number that changes in the child of every fork() (a pthread_atfork
// handler bumps it): a handle compares it with the one it recorded when
// it was made (see handle.hpp, owned_here).
unsigned process_generation();

}  // namespace ipc
