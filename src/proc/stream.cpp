// The pulled streams of ipc.proc (see stream.hpp).
//
// A read's stack: 1 the stream, 2 its formats (nil: the default "l"; one
// format; or a table of them), 3 the values read before a wait (nil or a
// table), 4 whether it runs for a lines iterator; wait()'s slots follow.
// A read parses what is buffered; a format that needs more bytes pulls
// from the pipe without blocking, and only when the pipe is empty does the
// read wait, keeping the values it has in slot 3. A format never consumes
// bytes before it completes, so a timeout loses nothing.
#include "stream.hpp"

#include <cmath>
#include <cstring>
#include <initializer_list>

#include "../core/handle.hpp"
#include "../core/reader.hpp"
#include "../core/status.hpp"
#include "../core/suspend.hpp"
#include "options.hpp"

namespace ipc::proc {
namespace {

constexpr const char* class_name = "ipc.proc.stream";
constexpr int max_lines_formats = 250;  // liolib's MAXARGLINE
const char* const stream_names[] = {"stdin", "stdout", "stderr"};

struct stream_handle {
  handle base;
  proc_handle* p;  // kept alive by user value 1
  int s;           // std_out or std_err
  double timeout;  // seconds; < 0: none
  bool touched;    // a read was asked for (no hand-off any more)
};

// Stops reading; the child's later writes fail with EPIPE.
int release(handle* h) {
  auto* st = reinterpret_cast<stream_handle*>(h);
  proc_handle* p = st->p;
  if (p->base.is_open() && p->core && owned_here(h)) {
    child_close_stream(p->core, st->s);
    if (p->ls->hosted) poke(p->ls);  // see release in proc.cpp
  }
  return 0;
}

// The engine record behind an open stream of an open handle, or raises.
child* live_core(lua_State* L, stream_handle* st) {
  if (!st->base.is_open()) raise_closed(L);
  proc_handle* p = st->p;
  if (!p->base.is_open() || !p->core) raise_closed(L);
  if (!owned_here(&p->base)) luaL_error(L, "handle belongs to another process");
  return p->core;
}

int format_count(lua_State* L) {
  return lua_istable(L, 2) ? static_cast<int>(lua_rawlen(L, 2)) : 1;
}

char format_at(lua_State* L, int k, size_t* count) {
  bool bad;
  *count = 0;
  if (lua_isnil(L, 2)) return 'l';
  if (!lua_istable(L, 2)) return decode_format(L, 2, count, &bad);
  lua_rawgeti(L, 2, k + 1);
  char f = decode_format(L, -1, count, &bad);
  lua_pop(L, 1);
  return f;
}

int progress_count(lua_State* L) {
  return lua_istable(L, 3) ? static_cast<int>(lua_rawlen(L, 3)) : 0;
}

// Moves the values above `top0` into the table at slot 3.
void stash(lua_State* L, int top0) {
  int n = lua_gettop(L) - top0;
  if (n == 0) return;
  if (!lua_istable(L, 3)) {
    lua_createtable(L, format_count(L), 0);
    lua_replace(L, 3);
  }
  int done = progress_count(L);
  for (int i = n; i >= 1; i--) lua_rawseti(L, 3, done + i);
}

// Pushes the values kept in slot 3 below the `n` values on top; returns
// how many values there are now.
int unstash(lua_State* L, int n) {
  int done = progress_count(L);
  if (done == 0) return n;
  luaL_checkstack(L, done + LUA_MINSTACK, "too many results");
  for (int i = 1; i <= done; i++) lua_rawgeti(L, 3, i);
  lua_rotate(L, -(n + done), done);
  return n + done;
}

// The results of a lines iterator from the `n` values of a read, as
// liolib's io_readline: the values, or nothing at the end, or an error.
int iterator_results(lua_State* L, int n) {
  if (!lua_toboolean(L, 4)) return n;
  if (lua_toboolean(L, -n)) return n;
  if (n > 1) return luaL_error(L, "%s", lua_tostring(L, -n + 1));
  return 0;
}

// The step of a read (also called directly first).
int read_step(lua_State* L, loop_state*) {
  auto* st = static_cast<stream_handle*>(lua_touserdata(L, 1));
  child* c = live_core(L, st);
  int total = format_count(L);
  int k = progress_count(L);
  luaL_checkstack(L, total - k + LUA_MINSTACK, "too many arguments");
  int top0 = lua_gettop(L);
  int s = st->s;
  out_buffer& b = c->out[s];
  pin(&st->p->base);
  pin(&st->base);
  int r = 1;
  while (k < total && r != 0) {
    size_t count;
    char format = format_at(L, k, &count);
    read_view v{b.data, b.len, b.off, c->pipe_open[s]};
    r = read_format(L, v, format, count);
    if (r == read_refill) {
      int got = child_pull(c, s);
      r = 1;
      if (got >= 0) continue;  // more bytes, or the end: try again
      // Reading has started: one run of the loop registers the pipe, so
      // that the loop's descriptor reports it to a host loop (luv, a
      // scheduler), and takes what arrived meanwhile.
      size_t had = b.len - b.off;
      pump(st->p->ls);
      if (b.len - b.off != had || !c->pipe_open[s]) continue;
      stash(L, top0);
      unpin(&st->base);
      unpin(&st->p->base);
      return step_wait;
    }
    b.off = v.pos;
    k++;
  }
  child_pull_stop(c, s);
  if (b.off == b.len) b.off = b.len = 0;
  int err = 0;
  if (r == 0 && c->error[s]) {  // like liolib after ferror()
    err = c->error[s];
    c->error[s] = 0;
  }
  unpin(&st->base);
  unpin(&st->p->base);
  if (err) {
    lua_settop(L, top0);
    lua_pushnil(L);
    lua_replace(L, 3);
    return iterator_results(L, push_failure(L, err));
  }
  if (r == 0) {
    lua_pop(L, 1);
    luaL_pushfail(L);
  }
  return iterator_results(L, unstash(L, lua_gettop(L) - top0));
}

int read_expired(lua_State* L) {
  auto* st = static_cast<stream_handle*>(lua_touserdata(L, 1));
  child_pull_stop(live_core(L, st), st->s);
  int n = push_failure(L, "timeout", ETIMEDOUT);
  return iterator_results(L, unstash(L, n));
}

const wait_op read_op = {5, read_step, read_expired, nullptr, false};

// Runs the read prepared in slots 1..4.
int start_read(lua_State* L) {
  auto* st = static_cast<stream_handle*>(lua_touserdata(L, 1));
  live_core(L, st);
  st->touched = true;
  if (!st->p->luv_mode) {
    // Plain and scheduler modes never refuse to wait: what is buffered is
    // read without the wait machinery.
    int n = read_step(L, nullptr);
    if (n >= 0) return n;
  }
  return wait(L, &read_op, st->timeout);
}

// Checks the formats from index `first` to the top and leaves them as
// slot 2 wants them.
void pack_formats(lua_State* L, int first) {
  int n = lua_gettop(L) - first + 1;
  for (int i = first; i <= lua_gettop(L); i++) {
    size_t count;
    bool bad;
    if (!decode_format(L, i, &count, &bad)) raise_format(L, i, bad);
  }
  if (n <= 0) {
    lua_settop(L, first - 1);
    lua_pushnil(L);
  } else if (n > 1) {
    lua_createtable(L, n, 0);
    lua_insert(L, first);
    for (int i = n; i >= 1; i--) lua_rawseti(L, first, i);
  }
}

// The common step of a lines iterator without formats: a line that is
// already buffered, read with no stack slots. Returns 1, or 0 (nothing
// pushed) when the general read must run.
int buffered_line(lua_State* L, stream_handle* st) {
  proc_handle* p = st->p;
  child* c = p->core;
  if (p->luv_mode || !c || !p->base.is_open() || !owned_here(&p->base))
    return 0;
  out_buffer& b = c->out[st->s];
  if (b.len == b.off) return 0;
  read_view v{b.data, b.len, b.off, c->pipe_open[st->s]};
  pin(&p->base);
  pin(&st->base);
  int r = read_format(L, v, 'l', 0);  // 1 or read_refill: bytes remain
  if (r == 1) {
    b.off = v.pos;
    if (b.off == b.len) b.off = b.len = 0;
    st->touched = true;
  }
  unpin(&st->base);
  unpin(&p->base);
  return r == 1;
}

int iterate(lua_State* L) {
  auto* st =
      static_cast<stream_handle*>(lua_touserdata(L, lua_upvalueindex(1)));
  if (!st->base.is_open()) return luaL_error(L, "file is already closed");
  if (lua_isnil(L, lua_upvalueindex(2)) && buffered_line(L, st)) return 1;
  lua_settop(L, 0);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_pushnil(L);
  lua_pushboolean(L, 1);
  return start_read(L);
}

int meth_read(lua_State* L) {
  check_as<stream_handle>(L, 1);
  return stream_read(L);
}

int meth_lines(lua_State* L) {
  check_as<stream_handle>(L, 1);
  return stream_lines(L);
}

// s:settimeout(seconds) -> true
int meth_settimeout(lua_State* L) {
  auto* st = check_as<stream_handle>(L, 1);
  double t = -1;
  if (!lua_isnoneornil(L, 2)) {
    t = luaL_checknumber(L, 2);
    luaL_argcheck(L, !std::isnan(t), 2, "timeout must be a number, not NaN");
    if (t < 0) t = -1;
  }
  st->timeout = t;
  lua_pushboolean(L, 1);
  return 1;
}

const luaL_Reg methods[] = {
    {"read", meth_read},
    {"lines", meth_lines},
    {"settimeout", meth_settimeout},
    {nullptr, nullptr},
};

constexpr int uv_stream_base = uv_stdin_keep;  // + s: the stream objects

}  // namespace

void stream_class(lua_State* L) {
  new_class(L, class_name, methods);
}

void push_stream(lua_State* L, proc_handle* p, int s) {
  if (lua_getiuservalue(L, 1, uv_stream_base + s) == LUA_TUSERDATA) return;
  lua_pop(L, 1);
  if (!p->pulled[s])
    luaL_error(L, "h:%s(): %s is not a pulled pipe (a pipe without callback)",
               stream_names[s], stream_names[s]);
  auto* st = new_handle<stream_handle>(L, class_name, 1);
  st->p = p;
  st->s = s;
  st->timeout = -1;
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  lua_pushvalue(L, -1);
  lua_setiuservalue(L, 1, uv_stream_base + s);
  st->base.release = release;
}

int stream_read(lua_State* L) {
  pack_formats(L, 2);
  lua_settop(L, 2);
  lua_pushnil(L);
  lua_pushboolean(L, 0);
  return start_read(L);
}

int stream_lines(lua_State* L) {
  int n = lua_gettop(L) - 1;
  luaL_argcheck(L, n <= max_lines_formats, max_lines_formats + 2,
                "too many arguments");
  pack_formats(L, 2);
  lua_settop(L, 2);
  lua_pushcclosure(L, iterate, 2);
  return 1;
}

void close_streams(lua_State* L, int idx) {
  for (int s : {std_out, std_err}) {
    if (lua_getiuservalue(L, idx, uv_stream_base + s) == LUA_TUSERDATA)
      close_handle(static_cast<handle*>(lua_touserdata(L, -1)));
    lua_pop(L, 1);
  }
}

bool is_stream(lua_State* L, int idx) {
  return luaL_testudata(L, idx, class_name) != nullptr;
}

int stream_handoff_fd(lua_State* L, int idx, const char* fname) {
  auto* st = static_cast<stream_handle*>(luaL_testudata(L, idx, class_name));
  proc_handle* p = st->p;
  if (!st->base.is_open() || !p->base.is_open() || !p->core ||
      !owned_here(&p->base))
    option_error(L, fname, "stdin is a closed stream");
  child* c = p->core;
  out_buffer& b = c->out[st->s];
  if (st->touched || b.len != b.off || !c->pipe_open[st->s] ||
      !c->read_stopped[st->s])
    option_error(L, fname,
                 "stdin is a stream that was already read from (only an "
                 "untouched stream can be handed over)");
  return child_pipe_fd(c, st->s);
}

void stream_handoff_begin(lua_State* L, int idx) {
  auto* st = static_cast<stream_handle*>(luaL_testudata(L, idx, class_name));
  if (st) child_handoff(st->p->core, st->s);
}

void stream_handoff_end(lua_State* L, int idx, bool taken) {
  auto* st = static_cast<stream_handle*>(luaL_testudata(L, idx, class_name));
  if (!st) return;
  child_handoff_done(st->p->core, st->s, taken);
  if (taken) close_handle(&st->base);
}

}  // namespace ipc::proc
