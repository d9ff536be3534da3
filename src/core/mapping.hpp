// A file (or shared memory object) mapped into memory behind the file-like
// interface: what mmap and shm handles share. The descriptor stays open in
// the handle (close-on-exec) for the life of the mapping: when a guarded
// access loses pages (see fault.hpp), it tells a file that was cut short
// (the handle shrinks, EFAULT) from one whose file system could not store
// a write (the pages are mapped from the file again and the handle stays
// as it was, ENOSPC), and it serves h:flush().
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "../platform/handle.hpp"
#include "memfile.hpp"

namespace ipc {

struct mapping {
  memfile file;
  void* map_addr;
  size_t map_len;
  off_t map_offset;
  platform::os_handle fd;
  bool map_writable;
};

// Maps [offset, offset + len) of `fd` into `m` and opens the handle with
// `release`; `fd` then belongs to the handle. Returns 0 or an errno (and
// leaves `fd` to the caller).
int map_file(mapping* m, platform::os_handle fd, size_t len, off_t offset,
             bool readable, bool writable, int (*release)(handle*));

// Unmaps and closes the descriptor; returns 0 or an errno. The release of
// a mapping handle calls it.
int unmap_file(mapping* m);

// What offsets must be multiples of: the size of a page (on Windows, the
// allocation granularity).
size_t page_size();

}  // namespace ipc
