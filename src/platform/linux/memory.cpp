// Memory hints on Linux: MADV_HUGEPAGE, and MADV_POPULATE_WRITE (5.14; an
// older kernel refuses it and the copy faults the pages in as before; a
// page the file no longer backs makes the call fail, not raise SIGBUS).
// The L2 size comes from sysconf, else from sysfs (musl's sysconf knows no
// cache sizes). See platform/memory.hpp.
#include "../memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

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

size_t l2_cache_bytes() {
  long v = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (v > 0) return static_cast<size_t>(v);
  FILE* f = std::fopen("/sys/devices/system/cpu/cpu0/cache/index2/size", "re");
  if (!f) return 0;
  unsigned long kib = 0;
  int n = std::fscanf(f, "%luK", &kib);
  std::fclose(f);
  return n == 1 ? static_cast<size_t>(kib) * 1024 : 0;
}

}  // namespace ipc::platform
