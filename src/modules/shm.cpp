// ipc.shm: POSIX shared memory behind the file-like interface (see
// core/mapping.hpp). The creator's close (or __gc) removes the name, as
// long as it still refers to the segment created and the handle was made
// by this process (see core/named.hpp); handles that are already attached
// keep their mapping. Segments are created with mode 0600 by default.
#include <cerrno>

#include "../core/fault.hpp"
#include "../core/mapping.hpp"
#include "../core/named.hpp"
#include "../core/status.hpp"
#include "../core/version.hpp"
#include "../platform/shmem.hpp"

namespace {

constexpr const char* class_name = "ipc.shm";

struct segment {
  ipc::mapping map;
  ipc::named name;
};

int release(ipc::handle* h) {
  auto* s = reinterpret_cast<segment*>(h);
  int err = ipc::unmap_file(&s->map);
  int unlink_err = ipc::unlink_if_created(h, &s->name);
  return err ? err : unlink_err;
}

int map_whole(segment* s, ipc::platform::os_handle fd, size_t len) {
  return ipc::map_file(&s->map, fd, len, 0, true, true, release);
}

int create_segment(segment* s, lua_Integer size, mode_t mode) {
  if (size == 0) return EINVAL;
  const char* name = s->name.os_name;
  ipc::platform::os_handle fd;
  auto len = static_cast<size_t>(size);
  int err = ipc::platform::shm_create_object(name, len, mode, &fd);
  if (err) return err;
  if ((err = map_whole(s, fd, len)) != 0) {
    ipc::platform::close_handle(fd);
    ipc::platform::shm_remove_name(name);
    return err;
  }
  ipc::mark_created(&s->name, fd);
  return 0;
}

int attach_segment(segment* s) {
  ipc::platform::os_handle fd;
  size_t len;
  int err = ipc::platform::shm_open_object(s->name.os_name, &fd, &len);
  if (err) return err;
  if ((err = map_whole(s, fd, len)) != 0) ipc::platform::close_handle(fd);
  return err;
}

// Pushes the new handle, or the failure naming the segment.
int push_opened(lua_State* L, int err) {
  if (!err) return 1;
  return ipc::push_failure_named(L, lua_tostring(L, 1), err);
}

// shm.create(name, size [, mode]) -> handle | nil, msg, errno
int global_create(lua_State* L) {
  luaL_checkstring(L, 1);
  lua_Integer size = luaL_checkinteger(L, 2);
  luaL_argcheck(L, size >= 0, 2, "negative size");
  mode_t mode = ipc::opt_mode(L, 3);
  auto* s = ipc::new_handle<segment>(L, class_name);
  int err = ipc::check_name(L, 1, ipc::platform::name_kind::shm, &s->name);
  if (!err) err = create_segment(s, size, mode);
  return push_opened(L, err);
}

// shm.attach(name) -> handle | nil, msg, errno
int global_attach(lua_State* L) {
  luaL_checkstring(L, 1);
  auto* s = ipc::new_handle<segment>(L, class_name);
  int err = ipc::check_name(L, 1, ipc::platform::name_kind::shm, &s->name);
  if (!err) err = attach_segment(s);
  return push_opened(L, err);
}

// shm.remove(name) -> true | nil, msg, errno
int global_remove(lua_State* L) {
  return ipc::remove_named(L, ipc::platform::name_kind::shm);
}

const luaL_Reg functions[] = {
    {"create", global_create},
    {"attach", global_attach},
    {"remove", global_remove},
    {nullptr, nullptr},
};

}  // namespace

IPC_EXPORT int luaopen_ipc_shm(lua_State* L) {
  ipc::install_fault_handler();
  ipc::memfile_class(L, class_name);
  luaL_newlib(L, functions);
  ipc::set_version(L);
  return 1;
}
