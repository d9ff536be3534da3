// Views with mmap (see platform/mapping.hpp).
#include "../mapping.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace ipc::platform {
namespace {

int prot_of(bool writable) {
  return PROT_READ | (writable ? PROT_WRITE : 0);
}

}  // namespace

size_t map_granularity() {
  return static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

int open_for_mapping(const char* path, int mode, os_handle* h, off_t* size) {
  static const int open_flags[] = {O_RDONLY, O_RDWR, O_RDWR};
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it then fails
  // as a file of size 0. It changes nothing for regular files.
  int fd;
  do {
    fd = open(path, open_flags[mode] | O_CLOEXEC | O_NONBLOCK);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  struct stat st;
  int err = 0;
  if (fstat(fd, &st) != 0)
    err = errno;
  else if (S_ISDIR(st.st_mode))
    err = EISDIR;
  if (err) {
    close(fd);
    return err;
  }
  *h = fd;
  *size = st.st_size;
  return 0;
}

int map_view(os_handle h, size_t len, off_t offset, bool writable,
             void** addr) {
  void* p = mmap(nullptr, len, prot_of(writable), MAP_SHARED,
                 static_cast<int>(h), offset);
  if (p == MAP_FAILED) return errno;
  *addr = p;
  return 0;
}

int unmap_view(void* addr, size_t len) {
  return munmap(addr, len) == 0 ? 0 : errno;
}

int sync_view(void* addr, size_t len) {
  return msync(addr, len, MS_SYNC) == 0 ? 0 : errno;
}

bool remap_if_backed(os_handle h, void* at, size_t len, off_t offset,
                     bool writable) {
  struct stat st;
  if (fstat(static_cast<int>(h), &st) != 0 || st.st_size <= offset)
    return false;
  void* p = mmap(at, len, prot_of(writable), MAP_SHARED | MAP_FIXED,
                 static_cast<int>(h), offset);
  return p != MAP_FAILED;
}

}  // namespace ipc::platform
