// Named shared memory and semaphores as the OS stores them: how long a name
// may be, and which object a name refers to. The creator of a name removes
// it on close only while it still refers to the object it created (after a
// remove, the name may belong to a successor someone else created), so it
// records the object's identity when it creates it. OS calls only.
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "handle.hpp"

namespace ipc::platform {

enum class name_kind { shm, sem };

// The longest name (without the leading "/") of each kind.
size_t name_max(name_kind kind);

// The characters a name may not hold ("/", and "\\" on Windows).
const char* name_forbidden();

// True where a name stays until it is removed (POSIX); false where it
// disappears with the last handle of its object (Windows): there the
// creator has nothing to remove, and removing only reports whether the
// name is free (0) or held (EBUSY).
bool names_persist();

struct object_id {
  dev_t dev;
  ino_t ino;
  // False when the object cannot be identified (it is not where this OS
  // keeps it): then the creator's close removes the name unconditionally.
  bool known;
};

// The identity of the object just created under `os_name` ("/name"); `fd`
// is its handle for shared memory, no_handle for a semaphore.
object_id identity_created(name_kind kind, const char* os_name, os_handle fd);

// True when semaphores can be identified: then a creator's close leaves a
// successor of the name alone (else it removes the name unconditionally).
bool have_sem_identity();

// The identity of what `os_name` refers to now; `known` false when the
// name refers to nothing.
object_id identity_now(name_kind kind, const char* os_name);

}  // namespace ipc::platform
