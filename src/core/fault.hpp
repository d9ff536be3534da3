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

#include <atomic>
#include <cstddef>

#include "../platform/memory.hpp"

namespace ipc {

// Installs the fault handler once per process; returns 0 or an errno.
int install_fault_handler();

// The armed range of a thread and where its loss starts (null: none yet).
struct fault_state {
  char* lo;
  char* hi;
  char* lost;
};

// fault_arm(addr, len) arms [addr, addr + len) for the calling thread,
// with no loss recorded, and returns what was armed before. Accesses nest:
// the collector may run a finalizer that reads another mapped handle while
// a read is pushing its string, and that inner access must leave the outer
// one as it was. fault_disarm(outer) disarms, returns the start of the
// lost part of the armed range, or null if no access faulted since
// fault_arm, and re-arms `outer`. Both are inline, since a lines iterator
// arms and disarms around every line. Where there is nothing to guard
// (Windows: platform/win/fault.cpp) no handler reads the range, and no
// loss is ever recorded.
namespace fault_detail {
// The armed range of this thread, read by the signal handler (see
// IPC_HANDLER_TLS in platform/memory.hpp for why that is safe).
extern IPC_HANDLER_TLS fault_state armed;
// Whether any thread ever armed a range. Until then a fault is not ours,
// and the handler touches no thread-local data. (A flag, not a count:
// arming is on the path of every read of a mapped handle.)
extern std::atomic<bool> ever_armed;
}  // namespace fault_detail

inline fault_state fault_arm(char* addr, size_t len) {
  if (!fault_detail::ever_armed.load(std::memory_order_relaxed))
    fault_detail::ever_armed.store(true, std::memory_order_relaxed);
  fault_state& r = fault_detail::armed;
  fault_state outer = r;
  r.lo = nullptr;  // never a moment with the new bounds and an old loss
  std::atomic_signal_fence(std::memory_order_seq_cst);
  r.lost = nullptr;
  r.hi = addr + len;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  r.lo = addr;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  return outer;
}

inline char* fault_disarm(const fault_state& outer) {
  std::atomic_signal_fence(std::memory_order_seq_cst);
  fault_state& r = fault_detail::armed;
  r.lo = nullptr;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  char* lost = r.lost;
  r.lost = outer.lost;
  r.hi = outer.hi;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  r.lo = outer.lo;
  return lost;
}

// Disarms if the armed range starts at `addr` (a mapping about to go away).
void fault_forget(char* addr);

}  // namespace ipc
