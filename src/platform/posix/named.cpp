// Names on any POSIX system: the identity of a shared memory object is the
// device and inode fstat gives for its descriptor; semaphores cannot be
// identified (their creator's close removes the name unconditionally). See
// platform/named.hpp.
#include "../named.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "limits.hpp"

namespace ipc::platform {
namespace {

object_id identity_of(int fd) {
  struct stat st;
  if (fstat(static_cast<int>(fd), &st) != 0) return object_id{0, 0, false};
  return object_id{st.st_dev, st.st_ino, true};
}

}  // namespace

size_t name_max(name_kind kind) {
  return kind == name_kind::sem ? sem_name_limit : shm_name_limit;
}

object_id identity_created(name_kind kind, const char*, os_handle fd) {
  if (kind == name_kind::sem || fd < 0) return object_id{0, 0, false};
  return identity_of(static_cast<int>(fd));
}

const char* name_forbidden() {
  return "/";
}

bool names_persist() {
  return true;
}

bool have_sem_identity() {
  return false;
}

object_id identity_now(name_kind kind, const char* os_name) {
  if (kind == name_kind::sem) return object_id{0, 0, false};
  int fd = shm_open(os_name, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return object_id{0, 0, false};
  object_id id = identity_of(fd);
  close(fd);
  return id;
}

}  // namespace ipc::platform
