// The memory-file engine (see memfile.hpp). Function names follow liolib.c
// so that the two can be compared side by side.
#include "memfile.hpp"

#include <cctype>
#include <cerrno>
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "../platform/memory.hpp"
#include "fault.hpp"
#include "reader.hpp"
#include "status.hpp"

namespace ipc {
namespace {

constexpr int max_lines_formats = 250;  // liolib's MAXARGLINE

memfile* check_file(lua_State* L) {
  return check_as<memfile>(L, 1);
}

// The bytes a read may consume: a handle that is not readable shows none,
// so every format behaves as at the end of a file (what a Lua file opened
// "w" does) before the read reports EBADF. Reads advance the local `pos`;
// settle() stores it back into the handle.
struct view : read_view {
  fault_state outer;  // what was armed before this access (mapped handles)
};

inline view view_of(memfile* f) {
  view v;
  v.addr = f->addr;
  v.size = f->readable ? f->size : f->pos;
  v.pos = f->pos;
  v.more = false;  // memory has all its bytes
  v.outer = {};
  if (f->mapped) v.outer = fault_arm(f->addr, f->mapped);
  return v;
}

// After an access to `f` lost the pages from `lost` on: the handle's
// `recover` may restore them and name the failure; otherwise the handle
// shrinks to the part still backed by the file and EFAULT is returned.
int after_loss(memfile* f, char* lost, bool writing) {
  if (int err = f->recover ? f->recover(f, lost, writing) : 0) return err;
  auto keep = static_cast<size_t>(lost - f->addr);
  if (keep < f->mapped) f->mapped = keep;
  if (keep < f->size) f->size = keep;
  if (f->pos > f->size) f->pos = f->size;
  return EFAULT;
}

// Ends the access `v` to `f`: stores its position and, for a mapped
// handle, disarms the SIGBUS guard (see after_loss). Inline, since an
// iterator settles once per line; a loss is handled out of line.
inline int settle(memfile* f, const view& v, bool writing = false) {
  f->pos = v.pos;
  if (!f->mapped) return 0;
  char* lost = fault_disarm(v.outer);
  return lost ? after_loss(f, lost, writing) : 0;
}

// A large write into a mapping first asks the OS to fault in the pages it
// covers with one call: one page fault per 4 KiB page costs more than the
// copy on a fresh shared memory segment. Asking again for pages already
// present still walks their page tables (11 % of a loop of 1 MiB writes
// cycling through a 16 MiB segment), so a handle remembers the range it
// prefaulted and asks only outside it; pages the kernel dropped meanwhile
// fault in on the copy, as without the call.
constexpr size_t prefault_min = 256 * 1024;

// Prefaults the `n` bytes at the handle's position unless a write asked for
// all of them before; the remembered range grows when the new one touches
// it and is replaced otherwise.
void prefault_once(memfile* f, size_t n) {
  size_t lo = f->pos, hi = f->pos + n;
  if (lo >= f->prefaulted_lo && hi <= f->prefaulted_hi) return;
  platform::prefault_write(f->addr + lo, n);
  if (hi >= f->prefaulted_lo && lo <= f->prefaulted_hi) {
    if (lo < f->prefaulted_lo) f->prefaulted_lo = lo;
    if (hi > f->prefaulted_hi) f->prefaulted_hi = hi;
  } else {
    f->prefaulted_lo = lo;
    f->prefaulted_hi = hi;
  }
}

// Reads the formats at stack positions first..top (g_read). Argument
// errors are raised in order, after the formats before them were read.
int g_read(lua_State* L, memfile* f, int first) {
  pin(&f->base);
  view v = view_of(f);
  int nargs = lua_gettop(L) - first + 1;
  int n, success;
  if (nargs == 0) {
    success = read_format(L, v, 'l', 0);
    n = first + 1;
  } else {
    if (!lua_checkstack(L, nargs + LUA_MINSTACK)) {
      settle(f, v);
      unpin(&f->base);
      luaL_checkstack(L, nargs + LUA_MINSTACK, "too many arguments");
    }
    success = 1;
    for (n = first; nargs-- && success; n++) {
      size_t count = 0;
      bool count_bad;
      char format = decode_format(L, n, &count, &count_bad);
      if (!format) {
        settle(f, v);
        unpin(&f->base);
        raise_format(L, n, count_bad);
      }
      success = read_format(L, v, format, count);
    }
  }
  int err = settle(f, v);
  if (!err && !f->readable) err = EBADF;
  unpin(&f->base);
  if (err) return push_failure(L, err);  // like liolib after ferror()
  if (!success) {
    lua_pop(L, 1);
    luaL_pushfail(L);
  }
  return n - first;
}

// h:read(...) -> values... (fail where a format fails) | nil, msg, errno
int meth_read(lua_State* L) {
  return g_read(L, check_file(L), 2);
}

// The iterator of h:lines() without formats, the common case: one upvalue,
// the handle, and no stack work.
int io_readline_plain(lua_State* L) {
  auto* f = static_cast<memfile*>(lua_touserdata(L, lua_upvalueindex(1)));
  if (!f->base.is_open()) return luaL_error(L, "file is already closed");
  if (!f->readable) return luaL_error(L, "%s", std::strerror(EBADF));
  view v = view_of(f);
  int ok = read_line(L, v, true);
  if (settle(f, v)) return luaL_error(L, "%s", std::strerror(EFAULT));
  return ok;
}

// The iterator of h:lines(...) with formats: upvalues are the handle, the
// number of formats and the formats (io_readline).
int io_readline(lua_State* L) {
  auto* f = static_cast<memfile*>(lua_touserdata(L, lua_upvalueindex(1)));
  if (!f->base.is_open()) return luaL_error(L, "file is already closed");
  int n = static_cast<int>(lua_tointeger(L, lua_upvalueindex(2)));
  lua_settop(L, 1);
  luaL_checkstack(L, n, "too many arguments");
  for (int i = 1; i <= n; i++) lua_pushvalue(L, lua_upvalueindex(2 + i));
  n = g_read(L, f, 2);
  if (lua_toboolean(L, -n)) return n;
  if (n > 1) return luaL_error(L, "%s", lua_tostring(L, -n + 1));
  return 0;
}

// h:lines(...) -> iterator
int meth_lines(lua_State* L) {
  check_file(L);
  int n = lua_gettop(L) - 1;
  luaL_argcheck(L, n <= max_lines_formats, max_lines_formats + 2,
                "too many arguments");
  if (n == 0) {
    lua_pushcclosure(L, io_readline_plain, 1);
    return 1;
  }
  lua_pushvalue(L, 1);
  lua_pushinteger(L, n);
  lua_rotate(L, 2, 2);
  lua_pushcclosure(L, io_readline, 2 + n);
  return 1;
}

// h:write(...) -> h | nil, msg, errno. Writes what fits and never grows;
// like liolib's g_write it stops writing at the first failure but still
// checks the remaining arguments.
int meth_write(lua_State* L) {
  memfile* f = check_file(L);
  int top = lua_gettop(L);
  int err = 0;
  bool full = false;  // the region is full (not the file system)
  // No pin: nothing between the check of the handle and the last copy can
  // run Lua (numbers are formatted on the stack, strings are not converted,
  // and an argument error ends the call).
  for (int arg = 2; arg <= top; arg++) {
    char num[64];
    const char* s;
    size_t len;
    if (lua_type(L, arg) == LUA_TNUMBER) {
      int k =
          lua_isinteger(L, arg)
              ? std::snprintf(num, sizeof num, LUA_INTEGER_FMT,
                              static_cast<LUAI_UACINT>(lua_tointeger(L, arg)))
              : std::snprintf(
                    num, sizeof num, LUA_NUMBER_FMT,
                    static_cast<LUAI_UACNUMBER>(lua_tonumber(L, arg)));
      s = num;
      len = static_cast<size_t>(k);
    } else {
      s = luaL_checklstring(L, arg, &len);
    }
    if (err) continue;
    if (!f->writable) {
      err = EBADF;
      continue;
    }
    size_t avail = f->size - f->pos;
    size_t k = len < avail ? len : avail;
    size_t before = f->pos;
    view v = view_of(f);
    if (f->mapped && k >= prefault_min) prefault_once(f, k);
    std::memcpy(f->addr + f->pos, s, k);
    v.pos += k;
    err = settle(f, v, true);
    if (err == ENOSPC || err == EIO) f->pos = before;  // handle unchanged
    if (!err && k < len) err = ENOSPC, full = true;
  }
  if (full) return push_failure(L, "not enough space", err);
  if (err) return push_failure(L, err);
  lua_settop(L, 1);
  return 1;
}

// h:seek([whence [, offset]]) -> position | nil, msg, errno
int meth_seek(lua_State* L) {
  static const char* const modenames[] = {"set", "cur", "end", nullptr};
  memfile* f = check_file(L);
  int op = luaL_checkoption(L, 2, "cur", modenames);
  lua_Integer offset = luaL_optinteger(L, 3, 0);
  size_t base = op == 0 ? 0 : op == 1 ? f->pos : f->size;
  // The target must lie in [0, size]; computed without overflow.
  auto mag = offset < 0 ? 0 - static_cast<lua_Unsigned>(offset)
                        : static_cast<lua_Unsigned>(offset);
  if (offset < 0 ? mag > base : mag > f->size - base)
    return push_failure(L, EINVAL);
  f->pos = offset < 0 ? base - static_cast<size_t>(mag)
                      : base + static_cast<size_t>(mag);
  lua_pushinteger(L, static_cast<lua_Integer>(f->pos));
  return 1;
}

// h:flush() -> true | nil, msg, errno
int meth_flush(lua_State* L) {
  memfile* f = check_file(L);
  return push_result(L, f->flush ? f->flush(f) : 0);
}

// h:setvbuf(mode [, size]) -> true. Memory has no buffer to set up.
int meth_setvbuf(lua_State* L) {
  static const char* const modenames[] = {"no", "full", "line", nullptr};
  check_file(L);
  luaL_checkoption(L, 2, nullptr, modenames);
  lua_Integer sz = luaL_optinteger(L, 3, LUAL_BUFFERSIZE);
  luaL_argcheck(L, sz >= 0, 3, "negative size");
  lua_pushboolean(L, 1);
  return 1;
}

// h:size() -> bytes
int meth_size(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(check_file(L)->size));
  return 1;
}

// h:addr() -> lightuserdata
int meth_addr(lua_State* L) {
  lua_pushlightuserdata(L, check_file(L)->addr);
  return 1;
}

// h:truncate(bytes) -> true | nil, msg. Only shrinks the usable length.
int meth_truncate(lua_State* L) {
  memfile* f = check_file(L);
  lua_Integer n = luaL_checkinteger(L, 2);
  luaL_argcheck(L, n >= 0, 2, "negative size");
  if (static_cast<lua_Unsigned>(n) > f->size)
    return push_fail_message(L, "cannot grow beyond the mapped size");
  f->size = static_cast<size_t>(n);
  if (f->pos > f->size) f->pos = f->size;
  lua_pushboolean(L, 1);
  return 1;
}

const luaL_Reg methods[] = {
    {"read", meth_read}, {"lines", meth_lines}, {"write", meth_write},
    {"seek", meth_seek}, {"flush", meth_flush}, {"setvbuf", meth_setvbuf},
    {"size", meth_size}, {"addr", meth_addr},   {"truncate", meth_truncate},
    {nullptr, nullptr},
};

}  // namespace

void memfile_class(lua_State* L, const char* name) {
  new_class(L, name, methods);
}

}  // namespace ipc
