// Memory hints on a system that has none of Linux's madvise extensions:
// both do nothing. A page past the end of a mapped file faults with SIGBUS
// or, on some systems and for some mappings (macOS, FreeBSD), SIGSEGV.
// See platform/memory.hpp.
#include "../memory.hpp"

#include <csignal>

namespace ipc::platform {

void advise_huge(void*, size_t) {}

void prefault_write(void*, size_t) {}

int mapping_fault_signals(int sigs[2]) {
  sigs[0] = SIGBUS;
  sigs[1] = SIGSEGV;
  return 2;
}

}  // namespace ipc::platform
