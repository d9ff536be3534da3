/* The real limit of shm_rw: a Lua module over a shared memory mapping that
 * does no more than Lua needs per chunk, one memcpy from the Lua string on
 * a write and one lua_pushlstring (a fresh string, as any read that returns
 * the bytes must make) on a read, with the rest of the loop in Lua as in
 * the luaipc variant.
 *   local m = shmcopy.create(name, size)
 *   m:write(offset, s); local s = m:read(offset, n); m:close() */
#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <lua.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct segment {
  char* map;
  size_t size;
  char name[64];
};

static struct segment* check_segment(lua_State* L) {
  struct segment* m = luaL_checkudata(L, 1, "shmcopy.segment");
  luaL_argcheck(L, m->map != NULL, 1, "closed segment");
  return m;
}

/* The range [offset, offset + n) of the segment, or an error. */
static char* range(lua_State* L, struct segment* m, size_t n) {
  lua_Integer off = luaL_checkinteger(L, 2);
  luaL_argcheck(
      L, off >= 0 && (size_t)off <= m->size && n <= m->size - (size_t)off, 2,
      "out of the segment");
  return m->map + off;
}

static int seg_write(lua_State* L) {
  struct segment* m = check_segment(L);
  size_t n;
  const char* s = luaL_checklstring(L, 3, &n);
  memcpy(range(L, m, n), s, n);
  return 0;
}

static int seg_read(lua_State* L) {
  struct segment* m = check_segment(L);
  lua_Integer n = luaL_checkinteger(L, 3);
  luaL_argcheck(L, n >= 0, 3, "negative size");
  lua_pushlstring(L, range(L, m, (size_t)n), (size_t)n);
  return 1;
}

static int seg_close(lua_State* L) {
  struct segment* m = luaL_checkudata(L, 1, "shmcopy.segment");
  if (m->map) {
    munmap(m->map, m->size);
    shm_unlink(m->name);
    m->map = NULL;
  }
  return 0;
}

static int seg_create(lua_State* L) {
  const char* name = luaL_checkstring(L, 1);
  lua_Integer size = luaL_checkinteger(L, 2);
  luaL_argcheck(L, size > 0, 2, "size must be positive");
  luaL_argcheck(L, strlen(name) < sizeof((struct segment*)0)->name, 1,
                "name too long");
  struct segment* m = lua_newuserdatauv(L, sizeof *m, 0);
  m->map = NULL;
  luaL_setmetatable(L, "shmcopy.segment");
  strcpy(m->name, name);
  int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return luaL_error(L, "%s: %s", name, strerror(errno));
  void* map = MAP_FAILED;
  if (ftruncate(fd, (off_t)size) == 0)
    map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  close(fd);
  if (map == MAP_FAILED) {
    shm_unlink(name);
    return luaL_error(L, "%s: %s", name, strerror(err));
  }
  m->map = map;
  m->size = (size_t)size;
  return 1;
}

int luaopen_shmcopy(lua_State* L) {
  static const luaL_Reg methods[] = {{"write", seg_write},
                                     {"read", seg_read},
                                     {"close", seg_close},
                                     {NULL, NULL}};
  luaL_newmetatable(L, "shmcopy.segment");
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, seg_close);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  lua_newtable(L);
  lua_pushcfunction(L, seg_create);
  lua_setfield(L, -2, "create");
  return 1;
}
