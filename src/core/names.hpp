// Names of POSIX shared memory and semaphores. A name is a plain name, not a
// path: it may not be empty, hold '/' or NUL, be "." or "..", or be longer
// than the OS allows. Valid names become "/name" for shm_open/sem_open.
#pragma once

#include <sys/types.h>

#include <climits>
#include <cstddef>

#include "lua.hpp"

namespace ipc {

// Room for "/" + NAME_MAX characters + NUL.
constexpr size_t os_name_size = NAME_MAX + 2;

// Writes "/" + name into `out` (os_name_size bytes); returns 0, EINVAL or
// ENAMETOOLONG when the name is longer than `max_len`.
int make_os_name(const char* name, size_t len, size_t max_len, char* out);

// The name at argument `idx` (a string, else raises) in OS form; returns 0
// or an errno as make_os_name does.
int check_os_name(lua_State* L, int idx, size_t max_len, char* out);

// The optional permission bits at argument `idx` (default 0600: only the
// owner may open the object); raises unless within 0..0777.
mode_t opt_mode(lua_State* L, int idx);

}  // namespace ipc
