// proc.spawn's arguments (see options.hpp).
#include "options.hpp"

#include <cctype>
#include <cmath>
#include <cstdarg>
#include <cstring>

#include "command.hpp"
#include "stream.hpp"

namespace ipc::proc {
namespace {

// Raises "bad argument #1 to '<fname>' (<msg>)": the command's errors name
// the Lua function even when it is reached through proc.run.
[[noreturn]] void command_error(lua_State* L, const char* fname,
                                const char* msg) {
  luaL_error(L, "bad argument #1 to '%s' (%s)", fname, msg);
  __builtin_unreachable();
}

const char* const stream_names[] = {"stdin", "stdout", "stderr"};
// What each option may be besides a boolean, a file or "null".
const char* const stdio_choices[] = {" or another handle's stream", "",
                                     " or \"stdout\""};

// Every option spawn knows; any other key is a mistake (a misspelled
// `stdotu = true` must not be ignored).
const char* const known_options[] = {
    "stdin", "stdout", "stderr",  "callback",      "env",    "clear_env",
    "cwd",   "group",  "timeout", "drain_timeout", "detach", "die_with_parent",
    nullptr};

void check_known_keys(lua_State* L, const char* fname) {
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    lua_pop(L, 1);
    const char* key =
        lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : nullptr;
    bool known = false;
    for (int i = 0; key && known_options[i]; i++)
      if (std::strcmp(key, known_options[i]) == 0) known = true;
    if (!known) {
      if (key) option_error(L, fname, "unknown option '%s'", key);
      option_error(L, fname, "option names must be strings");
    }
  }
}

// options.stdin/stdout/stderr: true = pipe, false/nil = inherit, a file.
stdio_kind check_stdio(lua_State* L, const char* fname, int s, int* fd) {
  int t = lua_getfield(L, 2, stream_names[s]);
  stdio_kind kind = stdio_inherit;
  if (t == LUA_TBOOLEAN) {
    kind = lua_toboolean(L, -1) ? stdio_pipe : stdio_inherit;
  } else if (t == LUA_TSTRING) {
    const char* v = lua_tostring(L, -1);
    if (std::strcmp(v, "null") == 0)
      kind = stdio_null;
    else if (s == 2 && std::strcmp(v, "stdout") == 0)
      kind = stdio_merge;
    else
      option_error(L, fname, "%s must be a boolean, a file, \"null\"%s",
                   stream_names[s], stdio_choices[s]);
  } else if (s == 0 && is_stream(L, -1)) {
    // The hand-off: another handle's pulled stdout or stderr; -1 where the
    // platform has no descriptor to give (the start returns ENOTSUP).
    *fd = stream_handoff_fd(L, -1, fname);
    kind = stdio_fd;
  } else if (t != LUA_TNIL) {
    auto* f = static_cast<luaL_Stream*>(luaL_testudata(L, -1, LUA_FILEHANDLE));
    if (!f)
      option_error(L, fname, "%s must be a boolean, a file, \"null\"%s",
                   stream_names[s], stdio_choices[s]);
    if (!f->closef)
      option_error(L, fname, "%s is a closed file", stream_names[s]);
    fflush(f->f);
    *fd = fileno(f->f);
    kind = stdio_fd;
  }
  lua_pop(L, 1);
  return kind;
}

double check_seconds_field(lua_State* L, const char* fname, const char* field,
                           double dflt) {
  int t = lua_getfield(L, 2, field);
  double v = dflt;
  if (t != LUA_TNIL) {
    if (!lua_isnumber(L, -1))
      option_error(L, fname, "%s must be a number", field);
    v = lua_tonumber(L, -1);
    if (std::isnan(v))
      option_error(L, fname, "%s must be a number, not NaN", field);
    if (v < 0) option_error(L, fname, "%s must not be negative", field);
  }
  lua_pop(L, 1);
  return v;
}

// A C string from the string at `idx`: raises when it holds a NUL byte,
// which the OS would silently cut it at.
const char* c_string(lua_State* L, const char* fname, int idx,
                     const char* what) {
  size_t len;
  const char* s = lua_tolstring(L, idx, &len);
  if (std::strlen(s) != len)
    option_error(L, fname, "%s contains a zero byte", what);
  return s;
}

// Builds a null-terminated array of C strings kept alive by table `anchor`.
char** string_array(lua_State* L, int anchor, lua_Integer n) {
  auto** a = static_cast<char**>(
      lua_newuserdatauv(L, static_cast<size_t>(n + 1) * sizeof(char*), 0));
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, anchor, i);
    a[i - 1] = const_cast<char*>(lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  a[n] = nullptr;
  return a;
}

char** check_argv(lua_State* L, const char* fname) {
  lua_Integer n = luaL_len(L, 1);
  if (n < 1) command_error(L, fname, "empty command array");
  lua_createtable(L, static_cast<int>(n), 0);
  int anchor = lua_gettop(L);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, 1, i);
    size_t len;
    const char* s = lua_isstring(L, -1) ? lua_tolstring(L, -1, &len) : nullptr;
    if (!s) command_error(L, fname, "command array items must be strings");
    if (std::strlen(s) != len)
      command_error(L, fname, "command contains a zero byte");
    lua_rawseti(L, anchor, i);
  }
  return string_array(L, anchor, n);
}

// The name of `len` bytes at `name`, in lower case with `fold`.
void push_name(lua_State* L, const char* name, size_t len, bool fold) {
  if (!fold) {
    lua_pushlstring(L, name, len);
    return;
  }
  luaL_Buffer b;
  char* p = luaL_buffinitsize(L, &b, len);
  for (size_t i = 0; i < len; i++)
    p[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  luaL_pushresultsize(&b, len);
}

// Where names are the same in any case (Windows): a table of the names of
// the table at `env` in lower case, pushed; returns its index.
int fold_names(lua_State* L, int env) {
  lua_newtable(L);
  int folded = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, env)) {
    lua_pop(L, 1);
    size_t len;
    const char* k = lua_tolstring(L, -1, &len);  // checked: all strings
    push_name(L, k, len, true);
    lua_pushboolean(L, 1);
    lua_rawset(L, folded);
  }
  return folded;
}

// options.env and options.clear_env -> an environment, or nullptr for the
// parent's own.
char** check_env(lua_State* L, const char* fname) {
  int t = lua_getfield(L, 2, "env");
  int env = lua_gettop(L);
  if (t != LUA_TNIL && t != LUA_TTABLE)
    option_error(L, fname, "env must be a table");
  lua_getfield(L, 2, "clear_env");
  bool clear = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (t == LUA_TNIL && !clear) return nullptr;
  lua_newtable(L);
  int anchor = lua_gettop(L);
  lua_Integer n = 0;
  if (t == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, env)) {
      size_t klen;
      const char* k = lua_type(L, -2) == LUA_TSTRING
                          ? lua_tolstring(L, -2, &klen)
                          : nullptr;
      if (!k || klen == 0 || std::strchr(k, '='))
        option_error(L, fname, "env names must be strings without '='");
      if (std::strlen(k) != klen)
        option_error(L, fname, "env name contains a zero byte");
      int vt = lua_type(L, -1);
      if (vt == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        continue;
      }
      if (vt != LUA_TSTRING && vt != LUA_TNUMBER)
        option_error(L, fname, "env values must be strings, numbers or false");
      c_string(L, fname, -1, "an env value");
      lua_pushfstring(L, "%s=%s", k, lua_tostring(L, -1));
      lua_rawseti(L, anchor, ++n);
      lua_pop(L, 1);
    }
  }
  if (!clear) {
    int folded = env_names_fold_case() ? fold_names(L, env) : env;
    for (char** e = parent_environment(); *e; e++) {
      const char* eq = std::strchr(*e, '=');
      if (!eq) continue;
      if (t == LUA_TTABLE) {
        push_name(L, *e, static_cast<size_t>(eq - *e), folded != env);
        bool named =
            lua_rawget(L, folded) != LUA_TNIL;  // overridden or removed
        lua_pop(L, 1);
        if (named) continue;
      }
      lua_pushstring(L, *e);
      lua_rawseti(L, anchor, ++n);
    }
  }
  return string_array(L, anchor, n);
}

// options.detach and options.die_with_parent. A detached child is nobody's
// to read from, wait for, time out or take down with this process.
void check_detach(lua_State* L, const char* fname, spawn_request* req) {
  lua_getfield(L, 2, "detach");
  req->detach = lua_toboolean(L, -1);
  lua_getfield(L, 2, "die_with_parent");
  req->die_with_parent = lua_toboolean(L, -1);
  lua_pop(L, 2);
  if (!req->detach) return;
  for (int s = 0; s < 3; s++)
    if (req->kind[s] == stdio_pipe)
      option_error(L, fname,
                   "detach: a detached process cannot have pipes (%s)",
                   stream_names[s]);
  if (req->die_with_parent)
    option_error(L, fname, "detach and die_with_parent exclude each other");
  if (req->timeout > 0)
    option_error(L, fname, "detach: a detached process has no timeout");
}

}  // namespace

void option_error(lua_State* L, const char* fname, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  luaL_error(L, "bad argument #2 to '%s' (options.%s)", fname,
             lua_tostring(L, -1));
  __builtin_unreachable();
}

double check_seconds_arg(lua_State* L, int idx, double dflt) {
  lua_Number v = luaL_optnumber(L, idx, dflt);
  luaL_argcheck(L, !std::isnan(v), idx, "timeout must be a number, not NaN");
  return v;
}

void check_spawn_args(lua_State* L, const char* fname, spawn_request* req) {
  int ct = lua_type(L, 1);
  if (ct != LUA_TSTRING && ct != LUA_TTABLE)
    luaL_error(L, "bad argument #1 to '%s' (string or table expected, got %s)",
               fname, luaL_typename(L, 1));
  if (lua_isnoneornil(L, 2)) {
    lua_settop(L, 1);
    lua_newtable(L);
  }
  if (!lua_istable(L, 2))
    luaL_error(L, "bad argument #2 to '%s' (table expected, got %s)", fname,
               luaL_typename(L, 2));
  lua_settop(L, 2);
  check_known_keys(L, fname);
  for (int s = 0; s < 3; s++)
    req->kind[s] = check_stdio(L, fname, s, &req->fd[s]);
  lua_getfield(L, 2, "callback");  // index 3
  if (!lua_isnil(L, 3) && !lua_isfunction(L, 3))
    option_error(L, fname, "callback must be a function");
  req->pull = lua_isnil(L, 3);        // piped output is then read on demand
  int t = lua_getfield(L, 2, "cwd");  // index 4
  if (t != LUA_TNIL && t != LUA_TSTRING)
    option_error(L, fname, "cwd must be a string");
  req->cwd = t == LUA_TNIL ? nullptr : c_string(L, fname, 4, "cwd");
  lua_getfield(L, 2, "group");
  req->group = lua_toboolean(L, -1);
  lua_pop(L, 1);
  req->timeout = check_seconds_field(L, fname, "timeout", 0);
  req->drain_timeout = check_seconds_field(L, fname, "drain_timeout", 1);
  check_detach(L, fname, req);
  if (ct == LUA_TSTRING) {
    size_t len;
    const char* cmd = lua_tolstring(L, 1, &len);
    if (std::strlen(cmd) != len)
      command_error(L, fname, "command contains a zero byte");
    shell_command(L, cmd, req);
  } else {
    req->args = check_argv(L, fname);
    req->file = req->args[0];
  }
  req->env = check_env(L, fname);
}

}  // namespace ipc::proc
