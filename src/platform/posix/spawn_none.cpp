// No posix_spawn extensions for closing descriptors and changing directory
// (macOS, musl, or a build that forces the portable paths): every child is
// started by fork and exec (see platform/spawn.hpp).
#include <cerrno>

#include "../spawn.hpp"

namespace ipc::platform {

bool have_spawn_np() {
  return false;
}

int spawn_np(const char*, char* const[], char* const[], const int[3],
             const bool[3], const char*, bool, pid_t*) {
  return ENOSYS;
}

}  // namespace ipc::platform
