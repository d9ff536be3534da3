// The read formats of a Lua file (liolib.c's read_line, read_number,
// test_eof, read_chars and read_all) over a view of bytes in memory: the
// one parser behind memfile handles (memfile.hpp) and the pulled streams
// of ipc.proc. A view whose source may still grow (`more`: a pipe not at
// its end) makes a format that would run into the end of the view consume
// nothing and answer `read_refill`, so that the caller fetches more bytes
// and asks again; at the real end every format behaves as on a file.
#pragma once

#include <cstddef>
#include <cstring>

#include "lua.hpp"

namespace ipc {

struct read_view {
  const char* addr;
  size_t size;  // bytes in the view
  size_t pos;   // the next unread byte; <= size
  bool more;    // bytes after `size` may still come
};

// A format argument decoded: 'l', 'L', 'a', 'n' or 'c' (a count, in
// *count), or 0 when it is not a valid format (not a string, or one that
// names no format: the caller raises, luaL_argerror's way, as liolib does).
// A negative or non-integral count decodes as 0 with *count_bad set.
char decode_format(lua_State* L, int idx, size_t* count, bool* count_bad);

// Raises the error liolib raises for the invalid format at `idx`.
[[noreturn]] void raise_format(lua_State* L, int idx, bool count_bad);

// Results of read_format besides success (1) and failure (0).
constexpr int read_refill = -1;

// Reads one decoded format from `v`: pushes its value (a failed format
// pushes something the caller replaces with fail) and returns 1 or 0; or
// pushes nothing, consumes nothing and returns read_refill.
int read_format(lua_State* L, read_view& v, char format, size_t count);

// Strings of at least this size are allocated in transparent huge pages
// where the kernel allows: faulting in a fresh 200 MiB string 4 KiB at a
// time costs more than copying the bytes into it.
constexpr size_t huge_string = 4 << 20;

// push_bytes for strings of huge_string bytes or more.
void push_huge_bytes(lua_State* L, const char* s, size_t n);

// lua_pushlstring, with the huge-page hint for large strings.
inline void push_bytes(lua_State* L, const char* s, size_t n) {
  if (n < huge_string)
    lua_pushlstring(L, s, n);
  else
    push_huge_bytes(L, s, n);
}

// Reads a line (the formats "l" and, with `chop` false, "L"): fails only
// at the end. Inline, since line iterators call it once per line.
inline int read_line(lua_State* L, read_view& v, bool chop) {
  size_t avail = v.size - v.pos;
  const char* s = v.addr + v.pos;
  const void* nl = avail ? std::memchr(s, '\n', avail) : nullptr;
  if (nl) {
    size_t len = static_cast<size_t>(static_cast<const char*>(nl) - s);
    push_bytes(L, s, chop ? len : len + 1);
    v.pos += len + 1;
    return 1;
  }
  if (v.more) return read_refill;
  push_bytes(L, s, avail);
  v.pos += avail;
  return avail > 0;
}

}  // namespace ipc
