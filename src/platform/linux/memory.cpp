// Memory hints on Linux: MADV_HUGEPAGE, and MADV_POPULATE_WRITE (5.14; an
// older kernel refuses it and the copy faults the pages in as before; a
// page the file no longer backs makes the call fail, not raise SIGBUS).
// The L2 size comes from sysfs, else from sysconf: sysfs describes the
// machine, where glibc's sysconf asks CPUID, which an emulator such as
// valgrind answers for a CPU of its own (and musl's sysconf knows no cache
// sizes). See platform/memory.hpp.
#include "../memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ipc::platform {

void advise_huge(void* addr, size_t len) {
  madvise(addr, len, MADV_HUGEPAGE);
}

void prefault_write(void* addr, size_t len) {
#ifdef MADV_POPULATE_WRITE
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
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

namespace {

// Reads the first line of a file of cpu0's cache description in sysfs.
bool read_cache_file(int index, const char* name, char* out, int len) {
  char path[96];
  std::snprintf(path, sizeof path,
                "/sys/devices/system/cpu/cpu0/cache/index%d/%s", index, name);
  FILE* f = std::fopen(path, "re");
  if (!f) return false;
  bool ok = std::fgets(out, len, f) != nullptr;
  std::fclose(f);
  return ok;
}

}  // namespace

size_t l2_cache_bytes() {
  char level[16], type[32], size[32];
  for (int i = 0; read_cache_file(i, "level", level, sizeof level); i++) {
    unsigned long kib = 0;
    if (std::atoi(level) == 2 &&
        read_cache_file(i, "type", type, sizeof type) &&
        std::strncmp(type, "Instruction", 11) != 0 &&
        read_cache_file(i, "size", size, sizeof size) &&
        std::sscanf(size, "%luK", &kib) == 1 && kib > 0)
      return static_cast<size_t>(kib) * 1024;
  }
#ifdef _SC_LEVEL2_CACHE_SIZE  // glibc's; musl has no name for it
  long v = sysconf(_SC_LEVEL2_CACHE_SIZE);
  return v > 0 ? static_cast<size_t>(v) : 0;
#else
  return 0;
#endif
}

}  // namespace ipc::platform
