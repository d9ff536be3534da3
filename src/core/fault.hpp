// Recovery from SIGBUS on mapped files that shrink under us.
//
// When another process truncates a file (or a shared memory segment) that we
// have mapped, touching the pages past its new end raises SIGBUS, which
// would kill the host. A read or write of an mmap or shm handle therefore
// "arms" the range of its mapping for the calling thread. The process-wide
// SIGBUS handler, installed once, checks whether the faulting address lies
// in the armed range; if so it maps anonymous zero pages over the lost part
// of the mapping (from the faulting page to its end) and returns, so the
// interrupted copy completes on zeros instead of faulting again. It records
// where the loss starts; the caller then reports EFAULT and shrinks the
// handle to the part that is still backed by the file. Nothing ever jumps
// over Lua's frames. Faults outside an armed range go to the handler that
// was installed before ours (or the default action). Where the platform
// may report such a fault as SIGSEGV (macOS, FreeBSD: see
// platform/memory.hpp), the same handler takes SIGSEGV too.
#pragma once

#include <cstddef>

namespace ipc {

// Installs the fault handler once per process; returns 0 or an errno.
int install_fault_handler();

// The armed range of a thread and where its loss starts (null: none yet).
struct fault_state {
  char* lo;
  char* hi;
  char* lost;
};

// Arms [addr, addr + len) for the calling thread, with no loss recorded;
// returns what was armed before. Accesses nest: the collector may run a
// finalizer that reads another mapped handle while a read is pushing its
// string, and that inner access must leave the outer one as it was.
fault_state fault_arm(char* addr, size_t len);
// Disarms; returns the start of the lost part of the armed range, or null
// if no access faulted since fault_arm, and re-arms `outer`.
char* fault_disarm(const fault_state& outer);
// Disarms if the armed range starts at `addr` (a mapping about to go away).
void fault_forget(char* addr);

}  // namespace ipc
