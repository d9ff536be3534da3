// Pipes and descriptor closing for starting children on any POSIX system
// (see platform/spawn.hpp): pipe, then FD_CLOEXEC on both ends (another
// thread forking in between could inherit them: macOS has no pipe2), and
// closefrom where the C library has it (FreeBSD, glibc), else a close of
// every number up to the limit.
#include "../spawn.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace ipc::platform {

int cloexec_pipe(int fds[2]) {
  if (pipe(fds) != 0) return errno;
  for (int i = 0; i < 2; i++) {
    if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0) {
      int err = errno;
      close(fds[0]);
      close(fds[1]);
      return err;
    }
  }
  return 0;
}

bool resize_pipe(int, int) {
  return false;
}

void close_from(int low, int limit) {
#if defined(IPC_HAVE_CLOSEFROM) && IPC_HAVE_CLOSEFROM
  (void)limit;
  closefrom(low);
#else
  for (int fd = low; fd < limit; fd++) close(fd);
#endif
}

}  // namespace ipc::platform
