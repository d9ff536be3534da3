// Spare descriptors, counted by opening them (see
// platform/descriptors.hpp).
#include "../descriptors.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace ipc::platform {

int check_spare_descriptors() {
  int fds[8];
  int n = 0, err = 0;
  for (; n < 8; n++) {
    fds[n] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fds[n] < 0) {
      err = errno;
      break;
    }
  }
  for (int i = 0; i < n; i++) close(fds[i]);
  return err;
}

}  // namespace ipc::platform
