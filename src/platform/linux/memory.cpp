// Memory hints on Linux: MADV_HUGEPAGE, and MADV_POPULATE_WRITE (5.14; an
// older kernel refuses it and the copy faults the pages in as before; a
// page the file no longer backs makes the call fail, not raise SIGBUS).
// See platform/memory.hpp.
#include "../memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>

namespace ipc::platform {

void advise_huge(void* addr, size_t len) {
  madvise(addr, len, MADV_HUGEPAGE);
}

void prefault_write(void* addr, size_t len) {
#ifdef MADV_POPULATE_WRITE
  static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  auto p = reinterpret_cast<uintptr_t>(addr);
  uintptr_t from = p & ~(page - 1);
  madvise(reinterpret_cast<void*>(from), p + len - from, MADV_POPULATE_WRITE);
#else
  (void)addr;
  (void)len;
#endif
}

// Linux reports a page its file no longer backs with SIGBUS only.
int mapping_fault_signals(int sigs[2]) {
  sigs[0] = SIGBUS;
  return 1;
}

}  // namespace ipc::platform
