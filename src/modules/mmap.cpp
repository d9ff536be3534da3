// ipc.mmap: files mapped into memory behind the file-like interface (see
// core/mapping.hpp; the descriptor stays open, close-on-exec, with the
// mapping).
#include <cerrno>

#include "../core/fault.hpp"
#include "../core/mapping.hpp"
#include "../core/status.hpp"
#include "../core/version.hpp"
#include "../platform/mapping.hpp"

namespace {

constexpr const char* class_name = "ipc.mmap";

int release(ipc::handle* h) {
  return ipc::unmap_file(reinterpret_cast<ipc::mapping*>(h));
}

// Opens and maps `path`; returns 0 or an errno. No Lua calls in here.
int open_mapping(ipc::mapping* m, const char* path, int mode,
                 lua_Integer offset, lua_Integer size) {
  if (static_cast<size_t>(offset) % ipc::page_size() != 0) return EINVAL;
  ipc::platform::os_handle fd;
  off_t file_size;
  int err = ipc::platform::open_for_mapping(path, mode, &fd, &file_size);
  if (err) return err;
  if (file_size == 0 || offset >= file_size || size > file_size - offset)
    err = EINVAL;  // nothing to map, or a range past the end of the file
  else
    err = ipc::map_file(
        m, fd, static_cast<size_t>(size ? size : file_size - offset),
        static_cast<off_t>(offset), mode != 1, mode != 0, release);
  if (err) ipc::platform::close_handle(fd);
  return err;
}

// mmap.open(path [, mode [, offset [, size]]]) -> handle | nil, msg, errno
int global_open(lua_State* L) {
  static const char* const modes[] = {"r", "w", "rw", nullptr};
  const char* path = ipc::check_c_string(L, 1);
  int mode = luaL_checkoption(L, 2, "r", modes);
  lua_Integer offset = luaL_optinteger(L, 3, 0);
  lua_Integer size = luaL_optinteger(L, 4, 0);
  luaL_argcheck(L, offset >= 0, 3, "negative offset");
  luaL_argcheck(L, size >= 0, 4, "negative size");
  auto* m = ipc::new_handle<ipc::mapping>(L, class_name);
  int err = open_mapping(m, path, mode, offset, size);
  return err ? ipc::push_failure_named(L, path, err) : 1;
}

const luaL_Reg functions[] = {{"open", global_open}, {nullptr, nullptr}};

}  // namespace

IPC_EXPORT int luaopen_ipc_mmap(lua_State* L) {
  ipc::install_fault_handler();
  ipc::memfile_class(L, class_name);
  luaL_newlib(L, functions);
  lua_pushinteger(L, static_cast<lua_Integer>(ipc::page_size()));
  lua_setfield(L, -2, "pagesize");
  ipc::set_version(L);
  return 1;
}
