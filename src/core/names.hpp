// Names of POSIX shared memory and semaphores. A name is a plain name, not a
// path: it may not be empty, hold '/' or NUL, be "." or "..", or be longer
// than the OS allows. Valid names become "/name" for shm_open/sem_open.
#pragma once

#include <sys/stat.h>
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

// Which object a name referred to when this process created it, so that
// the creator's close removes the name only while it still refers to that
// object: after a remove, the name may belong to a successor that someone
// else created. On Linux, glibc keeps shared memory objects as files
// "/dev/shm/<name>" and semaphores as "/dev/shm/sem.<name>"; the identity
// is that file's device and inode.
struct object_id {
  dev_t dev;
  ino_t ino;
  // False when the object's file was not found where expected (another C
  // library or mount): then close removes the name unconditionally.
  bool known;
};

// The identity of the shared memory object just created as `fd` under
// `os_name`.
object_id shm_identity(int fd, const char* os_name);

// The identity of the semaphore just created (O_CREAT | O_EXCL) under
// `os_name`.
object_id sem_identity(const char* os_name);

// Remove `os_name` unless it now refers to another object than `id`.
// Return 0 also when the name is gone already or belongs to another
// object (the creator's work is done either way), or an errno. A name
// removed and created anew between the check and the unlink (by another
// process, within microseconds) is still unlinked: POSIX offers no
// "unlink if same" for these names.
int unlink_shm_if_same(const char* os_name, const object_id& id);
int unlink_sem_if_same(const char* os_name, const object_id& id);

}  // namespace ipc
