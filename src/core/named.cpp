// Names of shm and semaphores and the creator's record (see named.hpp).
#include "named.hpp"

#include <cerrno>
#include <cstring>

#include "../platform/semaphore.hpp"
#include "../platform/shmem.hpp"
#include "status.hpp"

namespace ipc {

int check_name(lua_State* L, int idx, platform::name_kind kind, named* n) {
  size_t len;
  const char* name = check_c_string(L, idx, &len);
  n->kind = kind;
  if (len == 0) return EINVAL;
  for (const char* c = platform::name_forbidden(); *c; c++)
    if (std::memchr(name, *c, len)) return EINVAL;
  if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0)
    return EINVAL;
  if (len > platform::name_max(kind) || len + 2 > os_name_size)
    return ENAMETOOLONG;
  n->os_name[0] = '/';
  std::memcpy(n->os_name + 1, name, len + 1);
  return 0;
}

mode_t opt_mode(lua_State* L, int idx) {
  lua_Integer mode = luaL_optinteger(L, idx, 0600);
  luaL_argcheck(L, mode >= 0 && mode <= 0777, idx, "invalid permissions");
  return static_cast<mode_t>(mode);
}

void mark_created(named* n, platform::os_handle fd) {
  n->creator = true;
  n->id = platform::identity_created(n->kind, n->os_name, fd);
}

int unlink_name(const named* n) {
  return n->kind == platform::name_kind::sem
             ? platform::sem_remove_name(n->os_name)
             : platform::shm_remove_name(n->os_name);
}

int unlink_if_created(const handle* h, const named* n) {
  if (!n->creator || !owned_here(h) || !platform::names_persist()) return 0;
  if (n->id.known) {
    platform::object_id now = platform::identity_now(n->kind, n->os_name);
    // Not there: removed already. Another object: a successor's name.
    if (!now.known || now.dev != n->id.dev || now.ino != n->id.ino) return 0;
  }
  int err = unlink_name(n);
  return err == ENOENT ? 0 : err;
}

int remove_named(lua_State* L, platform::name_kind kind) {
  named n{};
  int err = check_name(L, 1, kind, &n);
  if (!err) err = unlink_name(&n);
  if (err) return push_failure_named(L, lua_tostring(L, 1), err);
  lua_pushboolean(L, 1);
  return 1;
}

}  // namespace ipc
