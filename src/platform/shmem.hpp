// Named shared memory objects ("/name", see core/named.hpp): creating one
// of a given size and opening one that exists. The handle they give is
// what platform/mapping.hpp's map_view maps. OS calls only.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "handle.hpp"

namespace ipc::platform {

// Creates the object `os_name` of `size` bytes (it must not exist: EEXIST)
// with permissions `mode` where the OS has them; 0 and `*h`, or an errno.
// Nothing is left under the name when it fails.
int shm_create_object(const char* os_name, size_t size, mode_t mode,
                      os_handle* h);

// Opens the existing object `os_name`, readable and writable; 0, `*h` and
// its size, or an errno (EINVAL for an object its creator has not sized
// yet). On Windows the size is that of the pages the object spans.
int shm_open_object(const char* os_name, os_handle* h, size_t* size);

// Removes the name (an object others hold stays theirs); 0 or an errno.
int shm_remove_name(const char* os_name);

}  // namespace ipc::platform
