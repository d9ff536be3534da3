// Views of files and shared memory objects in memory, shared with every
// process that maps the same object, and opening a file to map it. OS calls
// only; the handle-level logic is core/mapping.hpp's.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "handle.hpp"

namespace ipc::platform {

// What offsets of a view must be multiples of: the page size on POSIX, the
// allocation granularity (64 KiB) on Windows.
size_t map_granularity();

// Opens `path` to map it, for reading (mode 0), writing (1) or both (2);
// `*h` is what map_view takes, `*size` the file's size. Returns 0 or an
// errno (EISDIR for a directory; a FIFO does not block the open).
int open_for_mapping(const char* path, int mode, os_handle* h, off_t* size);

// Maps [offset, offset + len) of `h`, readable, and writable when asked;
// 0 and `*addr`, or an errno.
int map_view(os_handle h, size_t len, off_t offset, bool writable, void** addr);

// Unmaps a view; 0 or an errno.
int unmap_view(void* addr, size_t len);

// Writes a view's changed pages back to its object; 0 or an errno.
int sync_view(void* addr, size_t len);

// After a fault replaced the pages of a view from `at` on (len bytes, at
// `offset` in the object) with zeros: when the object still covers them,
// maps them from it again and returns true; false when it was cut short.
bool remap_if_backed(os_handle h, void* at, size_t len, off_t offset,
                     bool writable);

}  // namespace ipc::platform
