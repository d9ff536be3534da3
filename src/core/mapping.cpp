// Mapped files shared by mmap and shm (see mapping.hpp).
#include "mapping.hpp"

#include <cerrno>
#include <cstdint>

#include "../platform/mapping.hpp"
#include "fault.hpp"

namespace ipc {
namespace {

int sync_mapping(memfile* f) {
  auto* m = reinterpret_cast<mapping*>(f);
  return platform::sync_view(m->map_addr, m->map_len);
}

// Pages from `lost` on were replaced by anonymous zeros after a fault. If
// the file still covers them, the file system failed to store or load them:
// map them from the file again, keep the handle as it is, and report why.
// If the file was cut, return 0 (the handle then shrinks).
int recover(memfile* f, char* lost, bool writing) {
  auto* m = reinterpret_cast<mapping*>(f);
  auto* base = static_cast<char*>(m->map_addr);
  auto off = static_cast<size_t>(lost - base);
  if (!platform::remap_if_backed(m->fd, lost, m->map_len - off,
                                 m->map_offset + static_cast<off_t>(off),
                                 m->map_writable))
    return 0;
  return writing ? ENOSPC : EIO;
}

}  // namespace

size_t page_size() {
  return platform::map_granularity();
}

int map_file(mapping* m, platform::os_handle fd, size_t len, off_t offset,
             bool readable, bool writable, int (*release)(handle*)) {
  void* p = nullptr;
  if (int err = platform::map_view(fd, len, offset, writable, &p)) return err;
  m->map_addr = p;
  m->map_len = len;
  m->map_offset = offset;
  m->fd = fd;
  m->map_writable = writable;
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
  int err = platform::unmap_view(m->map_addr, m->map_len);
  int close_err = platform::close_handle(m->fd);
  return err ? err : close_err;
}

}  // namespace ipc
