// ipc.mmap: files mapped into memory behind the file-like interface.
// The descriptor is closed right after mmap; the mapping stays valid.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "../core/fault.hpp"
#include "../core/memfile.hpp"
#include "../core/status.hpp"

namespace {

constexpr const char* class_name = "ipc.mmap";

struct mapping {
  ipc::memfile file;
  void* map_addr;
  size_t map_len;
};

int release(ipc::handle* h) {
  auto* m = reinterpret_cast<mapping*>(h);
  ipc::fault_forget(static_cast<char*>(m->map_addr));
  return munmap(m->map_addr, m->map_len) == 0 ? 0 : errno;
}

int flush(ipc::memfile* f) {
  auto* m = reinterpret_cast<mapping*>(f);
  return msync(m->map_addr, m->map_len, MS_SYNC) == 0 ? 0 : errno;
}

size_t page_size() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

// Opens and maps `path`; returns 0 or an errno. No Lua calls in here.
int map_file(mapping* m, const char* path, int mode, lua_Integer offset,
             lua_Integer size) {
  static const int open_flags[] = {O_RDONLY, O_RDWR, O_RDWR};
  static const int prot[] = {PROT_READ, PROT_READ | PROT_WRITE,
                             PROT_READ | PROT_WRITE};
  if (static_cast<size_t>(offset) % page_size() != 0) return EINVAL;
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it then fails
  // below as a file of size 0. It changes nothing for regular files.
  int fd = ipc::retry_eintr([&] {
    return open(path, open_flags[mode] | O_CLOEXEC | O_NONBLOCK);
  });
  if (fd < 0) return errno;
  struct stat st;
  int err = 0;
  if (fstat(fd, &st) != 0) {
    err = errno;
  } else if (st.st_size == 0 || offset >= st.st_size ||
             size > st.st_size - offset) {
    err = EINVAL;  // nothing to map, or a range past the end of the file
  } else {
    size_t len = static_cast<size_t>(size ? size : st.st_size - offset);
    void* p = mmap(nullptr, len, prot[mode], MAP_SHARED, fd,
                   static_cast<off_t>(offset));
    if (p == MAP_FAILED) {
      err = errno;
    } else {
      m->map_addr = p;
      m->map_len = len;
      m->file.addr = static_cast<char*>(p);
      m->file.size = len;
      m->file.mapped = len;
      m->file.readable = mode != 1;
      m->file.writable = mode != 0;
      m->file.flush = flush;
      m->file.base.release = release;
    }
  }
  close(fd);
  return err;
}

// mmap.open(path [, mode [, offset [, size]]]) -> handle | nil, msg, errno
int global_open(lua_State* L) {
  static const char* const modes[] = {"r", "w", "rw", nullptr};
  size_t path_len;
  const char* path = luaL_checklstring(L, 1, &path_len);
  int mode = luaL_checkoption(L, 2, "r", modes);
  lua_Integer offset = luaL_optinteger(L, 3, 0);
  lua_Integer size = luaL_optinteger(L, 4, 0);
  luaL_argcheck(L, offset >= 0, 3, "negative offset");
  luaL_argcheck(L, size >= 0, 4, "negative size");
  auto* m = ipc::new_handle<mapping>(L, class_name);
  // A NUL inside the path would silently open a shorter one.
  int err = std::strlen(path) != path_len
                ? EINVAL
                : map_file(m, path, mode, offset, size);
  if (err) return ipc::push_failure(L, err);
  return 1;
}

const luaL_Reg functions[] = {{"open", global_open}, {nullptr, nullptr}};

}  // namespace

IPC_EXPORT int luaopen_ipc_mmap(lua_State* L) {
  ipc::install_fault_handler();
  ipc::memfile_class(L, class_name);
  luaL_newlib(L, functions);
  lua_pushinteger(L, static_cast<lua_Integer>(page_size()));
  lua_setfield(L, -2, "pagesize");
  return 1;
}
