// Pipes and descriptor closing for starting children on Linux (see
// platform/spawn.hpp): pipe2, F_SETPIPE_SZ, and close_range (Linux 5.9) with a
// loop for older kernels.
#include "../spawn.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace ipc::platform {

int cloexec_pipe(int fds[2]) {
  return pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno;
}

bool resize_pipe(int fd, int bytes) {
  return fcntl(fd, F_SETPIPE_SZ, bytes) >= 0;
}

void close_from(int low, int limit) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, low, ~0U, 0) == 0) return;
#endif
  for (int fd = low; fd < limit; fd++) close(fd);
}

}  // namespace ipc::platform
