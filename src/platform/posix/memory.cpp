// Memory hints on a system that has none of Linux's madvise extensions:
// both do nothing. See platform/memory.hpp.
#include "../memory.hpp"

namespace ipc::platform {

void advise_huge(void*, size_t) {}

void prefault_write(void*, size_t) {}

}  // namespace ipc::platform
