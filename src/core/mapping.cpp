// Mapped files shared by mmap and shm (see mapping.hpp).
#include "mapping.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "fault.hpp"

namespace ipc {
namespace {

int sync_mapping(memfile* f) {
  auto* m = reinterpret_cast<mapping*>(f);
  return msync(m->map_addr, m->map_len, MS_SYNC) == 0 ? 0 : errno;
}

// Pages from `lost` on were replaced by anonymous zeros after a fault. If
// the file still covers them, the file system failed to store or load them:
// map them from the file again, keep the handle as it is, and report why.
// If the file was cut, return 0 (the handle then shrinks).
int recover(memfile* f, char* lost, bool writing) {
  auto* m = reinterpret_cast<mapping*>(f);
  auto* base = static_cast<char*>(m->map_addr);
  auto off = static_cast<off_t>(lost - base);
  struct stat st;
  if (fstat(m->fd, &st) != 0 || st.st_size <= m->map_offset + off) return 0;
  void* p = mmap(lost, m->map_len - static_cast<size_t>(off), m->prot,
                 MAP_SHARED | MAP_FIXED, m->fd, m->map_offset + off);
  if (p == MAP_FAILED) return 0;
  return writing ? ENOSPC : EIO;
}

}  // namespace

size_t page_size() {
  return static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

int map_file(mapping* m, int fd, size_t len, off_t offset, bool readable,
             bool writable, int (*release)(handle*)) {
  int prot = (readable ? PROT_READ : 0) | (writable ? PROT_WRITE : 0);
  if (writable) prot |= PROT_READ;
  void* p = mmap(nullptr, len, prot, MAP_SHARED, fd, offset);
  if (p == MAP_FAILED) return errno;
  m->map_addr = p;
  m->map_len = len;
  m->map_offset = offset;
  m->fd = fd;
  m->prot = prot;
  m->file.addr = static_cast<char*>(p);
  m->file.size = len;
  m->file.mapped = len;
  m->file.readable = readable;
  m->file.writable = writable;
  m->file.flush = sync_mapping;
  m->file.recover = recover;
  m->file.base.release = release;
  return 0;
}

int unmap_file(mapping* m) {
  fault_forget(static_cast<char*>(m->map_addr));
  int err = munmap(m->map_addr, m->map_len) == 0 ? 0 : errno;
  if (close(m->fd) != 0 && !err && errno != EINTR) err = errno;
  return err;
}

}  // namespace ipc
