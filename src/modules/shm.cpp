// ipc.shm: POSIX shared memory behind the file-like interface.
// The creator's close (or __gc) removes the name, as long as it still
// refers to the segment created (see ipc::object_id); handles that are
// already attached keep their mapping. Segments are created with mode 0600.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/fault.hpp"
#include "../core/memfile.hpp"
#include "../core/names.hpp"
#include "../core/status.hpp"

namespace {

constexpr const char* class_name = "ipc.shm";

struct segment {
  ipc::memfile file;
  void* map_addr;
  size_t map_len;
  bool creator;
  ipc::object_id id;  // of the segment created
  char name[ipc::os_name_size];
};

int release(ipc::handle* h) {
  auto* s = reinterpret_cast<segment*>(h);
  ipc::fault_forget(static_cast<char*>(s->map_addr));
  int err = munmap(s->map_addr, s->map_len) == 0 ? 0 : errno;
  if (s->creator) {
    int unlink_err = ipc::unlink_shm_if_same(s->name, s->id);
    if (!err) err = unlink_err;
  }
  return err;
}

// Maps `fd` whole into `s` and opens the handle; returns 0 or an errno.
int map_segment(segment* s, int fd, size_t len) {
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return errno;
  s->map_addr = p;
  s->map_len = len;
  s->file.addr = static_cast<char*>(p);
  s->file.size = len;
  s->file.mapped = len;
  s->file.readable = s->file.writable = true;
  s->file.base.release = release;
  return 0;
}

int create_segment(segment* s, lua_Integer size, mode_t mode) {
  if (size == 0) return EINVAL;
  int fd = shm_open(s->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return errno;
  int err = 0;
  if (ipc::retry_eintr([&] { return ftruncate(fd, size); }) != 0)
    err = errno;
  else
    err = map_segment(s, fd, static_cast<size_t>(size));
  if (!err) {
    s->creator = true;
    s->id = ipc::shm_identity(fd, s->name);
  }
  close(fd);
  if (err) shm_unlink(s->name);
  return err;
}

int attach_segment(segment* s) {
  int fd = shm_open(s->name, O_RDWR | O_CLOEXEC, 0);
  if (fd < 0) return errno;
  struct stat st;
  int err = 0;
  if (fstat(fd, &st) != 0)
    err = errno;
  else if (st.st_size == 0)
    err = EINVAL;  // a segment its creator has not sized yet
  else
    err = map_segment(s, fd, static_cast<size_t>(st.st_size));
  close(fd);
  return err;
}

// shm.create(name, size [, mode]) -> handle | nil, msg, errno
int global_create(lua_State* L) {
  luaL_checkstring(L, 1);
  lua_Integer size = luaL_checkinteger(L, 2);
  luaL_argcheck(L, size >= 0, 2, "negative size");
  mode_t mode = ipc::opt_mode(L, 3);
  auto* s = ipc::new_handle<segment>(L, class_name);
  int err = ipc::check_os_name(L, 1, NAME_MAX, s->name);
  if (!err) err = create_segment(s, size, mode);
  return err ? ipc::push_failure(L, err) : 1;
}

// shm.attach(name) -> handle | nil, msg, errno
int global_attach(lua_State* L) {
  luaL_checkstring(L, 1);
  auto* s = ipc::new_handle<segment>(L, class_name);
  int err = ipc::check_os_name(L, 1, NAME_MAX, s->name);
  if (!err) err = attach_segment(s);
  return err ? ipc::push_failure(L, err) : 1;
}

// shm.remove(name) -> true | nil, msg, errno
int global_remove(lua_State* L) {
  luaL_checkstring(L, 1);
  char name[ipc::os_name_size];
  int err = ipc::check_os_name(L, 1, NAME_MAX, name);
  if (!err && shm_unlink(name) != 0) err = errno;
  return ipc::push_result(L, err);
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
  return 1;
}
