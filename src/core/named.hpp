// Names of POSIX shared memory and semaphores, and the record of the handle
// that created one. A name is a plain name, not a path: it may not be
// empty, hold '/' (nor '\\' on Windows), be "." or "..", or be longer than the
// OS allows (nil, message, code); a NUL byte in it raises. Valid names become
// "/name" for shm_open/sem_open.
//
// The creator's close removes the name only while it still refers to the
// object created (platform/named.hpp keeps the identity), and only in the
// process that created it: a forked child's copy of the handle never
// removes the parent's name.
#pragma once

#include <sys/types.h>

#include <climits>
#include <cstddef>

#include "../platform/named.hpp"
#include "handle.hpp"

namespace ipc {

// Room for "/" + NAME_MAX characters + NUL.
constexpr size_t os_name_size = NAME_MAX + 2;

struct named {
  platform::name_kind kind;
  bool creator;
  platform::object_id id;      // of the object created
  char os_name[os_name_size];  // "/name"
};

// Checks the name at argument `idx` (a string without NUL, else raises)
// into `n` as a name of `kind`; returns 0, EINVAL or ENAMETOOLONG.
int check_name(lua_State* L, int idx, platform::name_kind kind, named* n);

// The name as the program spelled it, for messages.
inline const char* plain_name(const named* n) {
  return n->os_name + 1;
}

// The optional permission bits at argument `idx` (default 0600: only the
// owner may open the object); raises unless within 0..0777.
mode_t opt_mode(lua_State* L, int idx);

// Records that the handle created the object now under the name; `fd` is
// the shared memory object's handle, no_handle for a semaphore.
void mark_created(named* n, platform::os_handle fd);

// The creator's part of the release of `h`: removes the name when `h` was
// made by this process, created the object, and the name still refers to
// it. Returns 0 (also when there was nothing to remove) or an errno. A
// name removed and created anew between the check and the unlink (by
// another process, within microseconds) is still unlinked: POSIX offers no
// "unlink if same" for these names.
int unlink_if_created(const handle* h, const named* n);

// Removes the name of `n`; returns 0 or an errno.
int unlink_name(const named* n);

// shm.remove(name) and sem.remove(name): removes the name at argument 1
// and pushes true, or the failure naming it.
int remove_named(lua_State* L, platform::name_kind kind);

}  // namespace ipc
