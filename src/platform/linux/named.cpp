// Names on Linux with glibc: shared memory objects are the files
// "/dev/shm/<name>", semaphores "/dev/shm/sem.<name>"; an identity is the
// file's device and inode (see platform/named.hpp).
#include "../named.hpp"

#include <sys/stat.h>

#include <climits>
#include <cstdio>

namespace ipc::platform {
namespace {

constexpr size_t path_size = sizeof("/dev/shm/sem.") + NAME_MAX + 2;

object_id identity_at(name_kind kind, const char* os_name) {
  char path[path_size];
  std::snprintf(path, sizeof path, "/dev/shm/%s%s",
                kind == name_kind::sem ? "sem." : "", os_name + 1);
  struct stat st;
  if (stat(path, &st) != 0) return object_id{0, 0, false};
  return object_id{st.st_dev, st.st_ino, true};
}

}  // namespace

// glibc names the file of semaphore "x" "sem.x".
size_t name_max(name_kind kind) {
  return kind == name_kind::sem ? NAME_MAX - 4 : NAME_MAX;
}

object_id identity_created(name_kind kind, const char* os_name, os_handle fd) {
  object_id id = identity_at(kind, os_name);
  if (fd < 0 || !id.known) return id;
  // The file must be the object itself; if not, the OS keeps shared memory
  // somewhere else and the name cannot be checked.
  struct stat st;
  if (fstat(static_cast<int>(fd), &st) != 0 || st.st_dev != id.dev ||
      st.st_ino != id.ino)
    return object_id{0, 0, false};
  return id;
}

const char* name_forbidden() {
  return "/";
}

bool names_persist() {
  return true;
}

bool have_sem_identity() {
  return true;
}

object_id identity_now(name_kind kind, const char* os_name) {
  return identity_at(kind, os_name);
}

}  // namespace ipc::platform
