// Memory hints on a system that has none of Linux's madvise extensions:
// both do nothing. A page past the end of a mapped file faults with SIGBUS
// or, on some systems and for some mappings (macOS, FreeBSD), SIGSEGV. The
// L2 size is sysconf's where it has a name for it. See platform/memory.hpp.
#include "../memory.hpp"

#include <unistd.h>

#include <csignal>

namespace ipc::platform {

void advise_huge(void*, size_t) {}

void prefault_write(void*, size_t) {}

int mapping_fault_signals(int sigs[2]) {
  sigs[0] = SIGBUS;
  sigs[1] = SIGSEGV;
  return 2;
}

size_t l2_cache_bytes() {
#ifdef _SC_LEVEL2_CACHE_SIZE
  long v = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (v > 0) return static_cast<size_t>(v);
#endif
  return 0;
}

}  // namespace ipc::platform
