// Validation of shm and semaphore names (see names.hpp).
#include "names.hpp"

#include <cerrno>
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

}  // namespace ipc
