// Names of POSIX shared memory and semaphores. A name is a plain name, not a
// path: it may not be empty, hold '/' or NUL, be "." or "..", or be longer
// than the OS allows. Valid names become "/name" for shm_open/sem_open.
#pragma once

#include <climits>
#include <cstddef>

namespace ipc {

// Room for "/" + NAME_MAX characters + NUL.
constexpr size_t os_name_size = NAME_MAX + 2;

// Writes "/" + name into `out` (os_name_size bytes); returns 0, EINVAL or
// ENAMETOOLONG when the name is longer than `max_len`.
int make_os_name(const char* name, size_t len, size_t max_len, char* out);

}  // namespace ipc
