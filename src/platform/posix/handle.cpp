// Descriptors as OS handles (see platform/handle.hpp).
#include "../handle.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace ipc::platform {

int close_handle(os_handle h) {
  if (close(static_cast<int>(h)) == 0 || errno == EINTR) return 0;
  return errno;
}

os_handle stream_handle(FILE* f) {
  return fileno(f);
}

int flush_stream(FILE* f) {
  return fflush(f) == 0 ? 0 : errno;
}

void drop_read_buffer(FILE* f) {
  fflush(f);
}

int duplicate_handle(os_handle h, os_handle* out) {
  int fd = fcntl(static_cast<int>(h), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return errno;
  *out = fd;
  return 0;
}

}  // namespace ipc::platform
