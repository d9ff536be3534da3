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
#include "status.hpp"

namespace ipc {
namespace {

constexpr int max_lines_formats = 250;  // liolib's MAXARGLINE
constexpr int max_numeral = 200;        // liolib's L_MAXLENNUM

memfile* check_file(lua_State* L) {
  return check_as<memfile>(L, 1);
}

// The bytes a read may consume: a handle that is not readable shows none,
// so every format behaves as at the end of a file (what a Lua file opened
// "w" does) before the read reports EBADF. Reads advance the local `pos`;
// settle() stores it back into the handle.
struct view {
  const char* addr;
  size_t size;
  size_t pos;
  fault_state outer;  // what was armed before this access (mapped handles)
};

view view_of(memfile* f) {
  view v{f->addr, f->readable ? f->size : f->pos, f->pos, {}};
  if (f->mapped) v.outer = fault_arm(f->addr, f->mapped);
  return v;
}

// Ends the access `v` to `f`: stores its position and, for a mapped
// handle, disarms the SIGBUS guard. If a page was lost, the handle's
// `recover` may restore it and name the failure; otherwise the handle
// shrinks to the part still backed by the file and EFAULT is returned.
int settle(memfile* f, const view& v, bool writing = false) {
  f->pos = v.pos;
  if (!f->mapped) return 0;
  char* lost = fault_disarm(v.outer);
  if (!lost) return 0;
  if (int err = f->recover ? f->recover(f, lost, writing) : 0) return err;
  auto keep = static_cast<size_t>(lost - f->addr);
  if (keep < f->mapped) f->mapped = keep;
  if (keep < f->size) f->size = keep;
  if (f->pos > f->size) f->pos = f->size;
  return EFAULT;
}

// Strings of at least this size are allocated in transparent huge pages
// where the kernel allows: faulting in a fresh 200 MiB string 4 KiB at a
// time costs more than copying the bytes into it.
constexpr size_t huge_string = 4 << 20;
constexpr uintptr_t huge_page = 2 << 20;

struct hinting_alloc {
  lua_Alloc f;
  void* ud;
};

// The state's allocator, with the huge-page hint on the whole 2 MiB pages
// inside every block of at least huge_string bytes it returns.
void* alloc_hinting(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* a = static_cast<hinting_alloc*>(ud);
  void* p = a->f(a->ud, ptr, osize, nsize);
  if (p && nsize >= huge_string) {
    uintptr_t from =
        (reinterpret_cast<uintptr_t>(p) + huge_page - 1) & ~(huge_page - 1);
    uintptr_t to = (reinterpret_cast<uintptr_t>(p) + nsize) & ~(huge_page - 1);
    if (from < to)
      platform::advise_huge(reinterpret_cast<void*>(from), to - from);
  }
  return p;
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

struct bytes {
  const char* s;
  size_t n;
};

int push_bytes_protected(lua_State* L) {
  auto* b = static_cast<const bytes*>(lua_touserdata(L, 1));
  lua_pushlstring(L, b->s, b->n);
  return 1;
}

// lua_pushlstring, with the huge-page hint for large strings. The hinting
// allocator is installed only around the copy, which runs protected so
// that a memory error cannot leave it installed.
void push_bytes(lua_State* L, const char* s, size_t n) {
  if (n < huge_string) {
    lua_pushlstring(L, s, n);
    return;
  }
  hinting_alloc a;
  a.f = lua_getallocf(L, &a.ud);
  bytes b{s, n};
  lua_pushcfunction(L, push_bytes_protected);
  lua_pushlightuserdata(L, &b);
  lua_setallocf(L, alloc_hinting, &a);
  int status = lua_pcall(L, 1, 1, 0);
  lua_setallocf(L, a.f, a.ud);
  if (status != LUA_OK) lua_error(L);
}

void push_range(lua_State* L, view& v, size_t n) {
  push_bytes(L, v.addr + v.pos, n);
  v.pos += n;
}

// Reads a line; with `chop` the newline is not kept. Fails only at the end.
int read_line(lua_State* L, view& v, bool chop) {
  size_t avail = v.size - v.pos;
  const char* s = v.addr + v.pos;
  const void* nl = avail ? std::memchr(s, '\n', avail) : nullptr;
  if (nl) {
    size_t len = static_cast<size_t>(static_cast<const char*>(nl) - s);
    push_bytes(L, s, chop ? len : len + 1);
    v.pos += len + 1;
    return 1;
  }
  push_range(L, v, avail);
  return avail > 0;
}

void read_all(lua_State* L, view& v) {
  push_range(L, v, v.size - v.pos);
}

int read_chars(lua_State* L, view& v, size_t n) {
  size_t avail = v.size - v.pos;
  push_range(L, v, n < avail ? n : avail);
  return avail > 0;
}

int test_eof(lua_State* L, const view& v) {
  lua_pushliteral(L, "");
  return v.pos < v.size;
}

// The numeral scanner of liolib's read_number, over memory: at most
// max_numeral characters of a numeral prefix are taken, one look-ahead
// character is given back, and lua_stringtonumber decides.
struct numeral {
  view* v = nullptr;
  int c = EOF;  // current look-ahead character, or EOF
  int n = 0;
  char buff[max_numeral + 1];

  int getc() {
    return v->pos < v->size ? static_cast<unsigned char>(v->addr[v->pos++])
                            : EOF;
  }
  bool nextc() {
    if (n >= max_numeral) {  // too long: invalidate and stop
      buff[0] = '\0';
      return false;
    }
    buff[n++] = static_cast<char>(c);
    c = getc();
    return true;
  }
  bool test2(const char* set) {
    return (c == set[0] || c == set[1]) && nextc();
  }
  int readdigits(bool hex) {
    int count = 0;
    while ((hex ? std::isxdigit(c) : std::isdigit(c)) && nextc()) count++;
    return count;
  }
};

int read_number(lua_State* L, view& v) {
  numeral rn;
  rn.v = &v;
  int count = 0;
  bool hex = false;
  const char decp[2] = {lua_getlocaledecpoint(), '.'};
  do {
    rn.c = rn.getc();
  } while (std::isspace(rn.c));
  rn.test2("-+");
  if (rn.test2("00")) {
    if (rn.test2("xX"))
      hex = true;
    else
      count = 1;  // the initial '0' counts as a digit
  }
  count += rn.readdigits(hex);
  if (rn.test2(decp)) count += rn.readdigits(hex);
  if (count > 0 && rn.test2(hex ? "pP" : "eE")) {
    rn.test2("-+");
    rn.readdigits(false);
  }
  if (rn.c != EOF) v.pos--;  // give back the look-ahead character
  rn.buff[rn.n] = '\0';
  if (lua_stringtonumber(L, rn.buff)) return 1;
  lua_pushnil(L);  // the "result" that the caller replaces by fail
  return 0;
}

// Reads the formats at stack positions first..top (g_read). Argument
// errors are raised in order, after the formats before them were read.
int g_read(lua_State* L, memfile* f, int first) {
  pin(&f->base);
  view v = view_of(f);
  int nargs = lua_gettop(L) - first + 1;
  int n, success;
  if (nargs == 0) {
    success = read_line(L, v, true);
    n = first + 1;
  } else {
    if (!lua_checkstack(L, nargs + LUA_MINSTACK)) {
      settle(f, v);
      unpin(&f->base);
      luaL_checkstack(L, nargs + LUA_MINSTACK, "too many arguments");
    }
    success = 1;
    for (n = first; nargs-- && success; n++) {
      if (lua_type(L, n) == LUA_TNUMBER) {
        int exact;
        lua_Integer l = lua_tointegerx(L, n, &exact);
        if (!exact || l < 0) {
          settle(f, v);
          unpin(&f->base);
          luaL_checkinteger(L, n);
          luaL_argerror(L, n, "invalid count");
        }
        success =
            l == 0 ? test_eof(L, v) : read_chars(L, v, static_cast<size_t>(l));
        continue;
      }
      const char* p = lua_tostring(L, n);
      if (p && *p == '*') p++;  // skip optional '*' (for compatibility)
      switch (p ? *p : '\0') {
        case 'n':
          success = read_number(L, v);
          break;
        case 'l':
          success = read_line(L, v, true);
          break;
        case 'L':
          success = read_line(L, v, false);
          break;
        case 'a':
          read_all(L, v);
          success = 1;
          break;
        default:
          settle(f, v);
          unpin(&f->base);
          luaL_checkstring(L, n);
          return luaL_argerror(L, n, "invalid format");
      }
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
