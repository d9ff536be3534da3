// ipc.strfile: a read-only file-like handle over the bytes of a Lua string.
// The string is kept alive as the handle's user value.
#include "../core/memfile.hpp"
#include "../core/version.hpp"

namespace {

constexpr const char* class_name = "ipc.strfile";

int release(ipc::handle*) {
  return 0;
}

// strfile.open(str) -> handle
int global_open(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  auto* f = ipc::new_handle<ipc::memfile>(L, class_name, 1);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  f->addr = const_cast<char*>(s);  // never written: writable stays false
  f->size = len;
  f->readable = true;
  f->base.release = release;
  return 1;
}

const luaL_Reg functions[] = {{"open", global_open}, {nullptr, nullptr}};

}  // namespace

IPC_EXPORT int luaopen_ipc_strfile(lua_State* L) {
  ipc::memfile_class(L, class_name);
  luaL_newlib(L, functions);
  ipc::set_version(L);
  return 1;
}
