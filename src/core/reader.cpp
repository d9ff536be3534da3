// The read formats of a Lua file over memory (see reader.hpp). Function
// names follow liolib.c so that the two can be compared side by side.
#include "reader.hpp"

#include <cctype>
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "../platform/memory.hpp"

namespace ipc {
namespace {

constexpr int max_numeral = 200;  // liolib's L_MAXLENNUM

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

struct bytes {
  const char* s;
  size_t n;
};

int push_bytes_protected(lua_State* L) {
  auto* b = static_cast<const bytes*>(lua_touserdata(L, 1));
  lua_pushlstring(L, b->s, b->n);
  return 1;
}

void push_range(lua_State* L, read_view& v, size_t n) {
  push_bytes(L, v.addr + v.pos, n);
  v.pos += n;
}

int read_all(lua_State* L, read_view& v) {
  if (v.more) return read_refill;
  push_range(L, v, v.size - v.pos);
  return 1;
}

int read_chars(lua_State* L, read_view& v, size_t n) {
  size_t avail = v.size - v.pos;
  if (avail < n && v.more) return read_refill;
  push_range(L, v, n < avail ? n : avail);
  return avail > 0;
}

int test_eof(lua_State* L, const read_view& v) {
  if (v.pos == v.size && v.more) return read_refill;
  lua_pushliteral(L, "");
  return v.pos < v.size;
}

// The numeral scanner of liolib's read_number, over memory: at most
// max_numeral characters of a numeral prefix are taken, one look-ahead
// character is given back, and lua_stringtonumber decides. Running into
// the end of a view that may grow is noted: the numeral may go on.
struct numeral {
  read_view* v = nullptr;
  int c = EOF;  // current look-ahead character, or EOF
  int n = 0;
  bool at_end = false;  // a character was asked for past the view
  char buff[max_numeral + 1];

  int getc() {
    if (v->pos < v->size) return static_cast<unsigned char>(v->addr[v->pos++]);
    at_end = true;
    return EOF;
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

int read_number(lua_State* L, read_view& v) {
  numeral rn;
  rn.v = &v;
  size_t start = v.pos;
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
  if (rn.at_end && v.more) {
    v.pos = start;
    return read_refill;
  }
  if (rn.c != EOF) v.pos--;  // give back the look-ahead character
  rn.buff[rn.n] = '\0';
  if (lua_stringtonumber(L, rn.buff)) return 1;
  lua_pushnil(L);  // the "result" that the caller replaces by fail
  return 0;
}

}  // namespace

// The hinting allocator is installed only around the copy, which runs
// protected so that a memory error cannot leave it installed.
void push_huge_bytes(lua_State* L, const char* s, size_t n) {
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

char decode_format(lua_State* L, int idx, size_t* count, bool* count_bad) {
  *count_bad = false;
  if (lua_type(L, idx) == LUA_TNUMBER) {
    int exact;
    lua_Integer l = lua_tointegerx(L, idx, &exact);
    if (!exact || l < 0) {
      *count_bad = true;
      return 0;
    }
    *count = static_cast<size_t>(l);
    return 'c';
  }
  const char* p = lua_tostring(L, idx);
  if (p && *p == '*') p++;  // skip optional '*' (for compatibility)
  switch (p ? *p : '\0') {
    case 'n':
    case 'l':
    case 'L':
    case 'a':
      return *p;
    default:
      return 0;
  }
}

void raise_format(lua_State* L, int idx, bool count_bad) {
  if (count_bad) {
    luaL_checkinteger(L, idx);
    luaL_argerror(L, idx, "invalid count");
  }
  luaL_checkstring(L, idx);
  luaL_argerror(L, idx, "invalid format");
  __builtin_unreachable();
}

int read_format(lua_State* L, read_view& v, char format, size_t count) {
  switch (format) {
    case 'n':
      return read_number(L, v);
    case 'l':
      return read_line(L, v, true);
    case 'L':
      return read_line(L, v, false);
    case 'a':
      return read_all(L, v);
    default:
      return count == 0 ? test_eof(L, v) : read_chars(L, v, count);
  }
}

}  // namespace ipc
