/* The real limit of the line workloads (lines_mmap, strfile_lines): a Lua
 * iterator that does no more than Lua needs per line, one memchr and one
 * lua_pushlstring, with the rest of the loop in Lua as in the luaipc
 * variant. Lines split as Lua's "l" format splits them (a last line without
 * "\n" counts too).
 *   for l in linesplit.string(s) do ... end
 *   for l in linesplit.file(path) do ... end   -- over a read-only mapping */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <lua.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct cursor {
  const char* p;
  const char* end;
  void* map; /* the mapping of linesplit.file, NULL for a string */
  size_t map_len;
};

static int next_line(lua_State* L) {
  struct cursor* c = lua_touserdata(L, lua_upvalueindex(1));
  if (c->p >= c->end) return 0;
  const char* nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
  const char* e = nl ? nl : c->end;
  lua_pushlstring(L, c->p, (size_t)(e - c->p));
  c->p = nl ? nl + 1 : c->end;
  return 1;
}

static int cursor_gc(lua_State* L) {
  struct cursor* c = lua_touserdata(L, 1);
  if (c->map) munmap(c->map, c->map_len);
  c->map = NULL;
  return 0;
}

static struct cursor* new_cursor(lua_State* L) {
  struct cursor* c = lua_newuserdatauv(L, sizeof *c, 0);
  memset(c, 0, sizeof *c);
  if (luaL_newmetatable(L, "linesplit.cursor")) {
    lua_pushcfunction(L, cursor_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return c;
}

static int split_string(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  struct cursor* c = new_cursor(L);
  c->p = s;
  c->end = s + len;
  lua_pushvalue(L, 1); /* keeps the string alive with the iterator */
  lua_pushcclosure(L, next_line, 2);
  return 1;
}

static int split_file(lua_State* L) {
  const char* path = luaL_checkstring(L, 1);
  struct cursor* c = new_cursor(L);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    if (fd >= 0) close(fd);
    return luaL_error(L, "%s: %s", path, strerror(errno));
  }
  size_t len = (size_t)st.st_size;
  void* map = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
  close(fd);
  if (map == MAP_FAILED) return luaL_error(L, "mmap: %s", strerror(errno));
  c->map = map;
  c->map_len = len;
  c->p = map;
  c->end = c->p + len;
  lua_pushcclosure(L, next_line, 1);
  return 1;
}

int luaopen_linesplit(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, split_string);
  lua_setfield(L, -2, "string");
  lua_pushcfunction(L, split_file);
  lua_setfield(L, -2, "file");
  return 1;
}
