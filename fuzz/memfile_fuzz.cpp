// A libFuzzer target for the memory-file engine (src/core/memfile.cpp).
//
// Each input is a byte string plus a script of file operations. The Lua
// driver (memfile_driver.lua) runs the script on a memory file and on a real
// Lua file (io.tmpfile) holding the same bytes and raises on any difference
// that docs/contract.md ("The file-like handles (strfile, mmap, shm)") does
// not document; this target turns that into an abort so
// that libFuzzer records the input. The engine is compiled into the target,
// so AddressSanitizer and UndefinedBehaviorSanitizer watch every access.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../src/core/fault.hpp"
#include "../src/core/memfile.hpp"

IPC_EXPORT int luaopen_ipc_strfile(lua_State* L);

namespace {

lua_State* state = nullptr;
int driver_ref = LUA_NOREF;

int release_buffer(ipc::handle*) {
  return 0;
}

// A memory file over a shared mapping of an anonymous file, which the
// driver may shrink under the mapping as another process could.
struct fuzzmap {
  ipc::memfile file;
  int fd;
  size_t len;
};

int release_map(ipc::handle* h) {
  auto* m = reinterpret_cast<fuzzmap*>(h);
  ipc::fault_forget(m->file.addr);
  munmap(m->file.addr, m->len);
  close(m->fd);
  return 0;
}

// fuzzmap(str, readable) -> a writable memory file guarded against SIGBUS
// like mmap and shm handles, or nothing when the mapping cannot be made.
int global_map(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  bool readable = lua_toboolean(L, 2);
  if (len == 0) return 0;
  auto* m = ipc::new_handle<fuzzmap>(L, "ipc.fuzzmap");
  int fd = memfd_create("fuzzmap", MFD_CLOEXEC);
  if (fd < 0) return 0;
  void* p = MAP_FAILED;
  if (write(fd, s, len) == static_cast<ssize_t>(len))
    p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    close(fd);
    return 0;
  }
  m->fd = fd;
  m->len = len;
  m->file.addr = static_cast<char*>(p);
  m->file.size = m->file.mapped = len;
  m->file.readable = readable;
  m->file.writable = true;
  m->file.base.release = release_map;
  return 1;
}

// fuzzshrink(h, n): cuts the file under the mapping of `h` to `n` bytes.
int global_shrink(lua_State* L) {
  auto* m = static_cast<fuzzmap*>(luaL_checkudata(L, 1, "ipc.fuzzmap"));
  lua_Integer n = luaL_checkinteger(L, 2);
  if (m->file.base.is_open() && n >= 0) {
    int rc = ftruncate(m->fd, static_cast<off_t>(n));
    (void)rc;
  }
  return 0;
}

// fuzzbuffer(str, readable) -> a writable memory file over a copy of `str`:
// the writable counterpart of strfile, without the shared memory of shm;
// not readable, it stands for an mmap opened with mode "w".
int global_buffer(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  bool readable = lua_toboolean(L, 2);
  auto* f = ipc::new_handle<ipc::memfile>(L, "ipc.fuzzbuffer", 1);
  void* bytes = lua_newuserdatauv(L, len ? len : 1, 0);
  std::memcpy(bytes, s, len);
  lua_setiuservalue(L, -2, 1);  // the bytes live as long as the handle
  f->addr = static_cast<char*>(bytes);
  f->size = len;
  f->readable = readable;
  f->writable = true;
  f->base.release = release_buffer;
  return 1;
}

void fail(const char* what) {
  std::fprintf(stderr, "memfile_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  state = luaL_newstate();
  luaL_openlibs(state);
  luaL_requiref(state, "ipc.strfile", luaopen_ipc_strfile, 0);
  lua_pop(state, 1);
  ipc::memfile_class(state, "ipc.fuzzbuffer");
  lua_register(state, "fuzzbuffer", global_buffer);
  ipc::memfile_class(state, "ipc.fuzzmap");
  lua_register(state, "fuzzmap", global_map);
  lua_register(state, "fuzzshrink", global_shrink);
  if (ipc::install_fault_handler() != 0) fail("no SIGBUS handler");
  const char* path = std::getenv("MEMFILE_DRIVER");
  if (!path) path = MEMFILE_DRIVER;
  if (luaL_dofile(state, path) != LUA_OK) fail(lua_tostring(state, -1));
  if (!lua_isfunction(state, -1)) fail("the driver must return a function");
  driver_ref = luaL_ref(state, LUA_REGISTRYINDEX);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lua_rawgeti(state, LUA_REGISTRYINDEX, driver_ref);
  lua_pushlstring(state, reinterpret_cast<const char*>(data), size);
  if (lua_pcall(state, 1, 0, 0) != LUA_OK) fail(lua_tostring(state, -1));
  // A full collection now and then finalizes the handles of past runs, so
  // __gc runs under the sanitizers too.
  static unsigned runs = 0;
  if (++runs % 64 == 0) lua_gc(state, LUA_GCCOLLECT);
  return 0;
}
