// Shared memory objects with shm_open (see platform/shmem.hpp).
#include "../shmem.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace ipc::platform {

int shm_create_object(const char* os_name, size_t size, mode_t mode,
                      os_handle* h) {
  int fd = shm_open(os_name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return errno;
  int r;
  do {
    r = ftruncate(fd, static_cast<off_t>(size));
  } while (r != 0 && errno == EINTR);
  if (r != 0) {
    int err = errno;
    close(fd);
    shm_unlink(os_name);
    return err;
  }
  *h = fd;
  return 0;
}

int shm_open_object(const char* os_name, os_handle* h, size_t* size) {
  int fd = shm_open(os_name, O_RDWR | O_CLOEXEC, 0);
  if (fd < 0) return errno;
  struct stat st;
  int err = 0;
  if (fstat(fd, &st) != 0)
    err = errno;
  else if (st.st_size == 0)
    err = EINVAL;  // a segment its creator has not sized yet
  if (err) {
    close(fd);
    return err;
  }
  *h = fd;
  *size = static_cast<size_t>(st.st_size);
  return 0;
}

int shm_remove_name(const char* os_name) {
  return shm_unlink(os_name) == 0 ? 0 : errno;
}

}  // namespace ipc::platform
