// Validation of shm and semaphore names (see names.hpp).
#include "names.hpp"

#include <semaphore.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ipc {

int make_os_name(const char* name, size_t len, size_t max_len, char* out) {
  if (len == 0 || std::memchr(name, '/', len) || std::memchr(name, '\0', len))
    return EINVAL;
  if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0)
    return EINVAL;
  if (len > max_len || len + 2 > os_name_size) return ENAMETOOLONG;
  out[0] = '/';
  std::memcpy(out + 1, name, len + 1);
  return 0;
}

int check_os_name(lua_State* L, int idx, size_t max_len, char* out) {
  size_t len;
  const char* name = luaL_checklstring(L, idx, &len);
  return make_os_name(name, len, max_len, out);
}

mode_t opt_mode(lua_State* L, int idx) {
  lua_Integer mode = luaL_optinteger(L, idx, 0600);
  luaL_argcheck(L, mode >= 0 && mode <= 0777, idx, "invalid permissions");
  return static_cast<mode_t>(mode);
}

namespace {

// Room for the longest "/dev/shm/sem." + name.
constexpr size_t path_size = sizeof("/dev/shm/sem.") + os_name_size;

// The file of `os_name` ("/name") under /dev/shm, with `prefix` before the
// name ("" for shm, "sem." for semaphores).
void object_path(const char* prefix, const char* os_name, char* out) {
  std::snprintf(out, path_size, "/dev/shm/%s%s", prefix, os_name + 1);
}

object_id identity_at(const char* path) {
  struct stat st;
  if (stat(path, &st) != 0) return object_id{0, 0, false};
  return object_id{st.st_dev, st.st_ino, true};
}

int unlink_if_same(const char* prefix, const char* os_name,
                   const object_id& id, int (*unlink_name)(const char*)) {
  if (id.known) {
    char path[path_size];
    object_path(prefix, os_name, path);
    object_id now = identity_at(path);
    // Not there: removed already (if the OS keeps it elsewhere after all,
    // id would not be known).
    if (!now.known) return 0;
    if (now.dev != id.dev || now.ino != id.ino) return 0;
  }
  if (unlink_name(os_name) == 0 || errno == ENOENT) return 0;
  return errno;
}

}  // namespace

object_id shm_identity(int fd, const char* os_name) {
  struct stat st;
  if (fstat(fd, &st) != 0) return object_id{0, 0, false};
  char path[path_size];
  object_path("", os_name, path);
  object_id id = identity_at(path);
  // The file must be the object itself; if not, the OS keeps shared memory
  // somewhere else and the name cannot be checked.
  if (!id.known || id.dev != st.st_dev || id.ino != st.st_ino)
    return object_id{0, 0, false};
  return id;
}

object_id sem_identity(const char* os_name) {
  char path[path_size];
  object_path("sem.", os_name, path);
  return identity_at(path);
}

int unlink_shm_if_same(const char* os_name, const object_id& id) {
  return unlink_if_same("", os_name, id, shm_unlink);
}

int unlink_sem_if_same(const char* os_name, const object_id& id) {
  return unlink_if_same("sem.", os_name, id, sem_unlink);
}

}  // namespace ipc
