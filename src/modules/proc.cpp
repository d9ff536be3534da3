// ipc.proc: child processes with their stdin, stdout and stderr on pipes.
// This file is the Lua face: argument checks, the handle, and delivery of
// what the engine (proc_engine.cpp) recorded to the user's callback. Without
// luv, h:wait() runs this state's private loop and calls the callback
// between loop steps with lua_pcallk, so callbacks may yield. With luv, the
// engine's events are delivered at once on luv's main thread, and h:wait()
// suspends only the calling coroutine (see README.md, "ipc.proc").
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <new>

#include "../core/handle.hpp"
#include "../core/loop.hpp"
#include "../core/process.hpp"
#include "../core/status.hpp"
#include "proc_engine.hpp"

extern char** environ;

namespace {

using namespace ipc::proc;

constexpr const char* class_name = "ipc.proc";
constexpr int uv_callback = 1;  // user value: options.callback
constexpr int uv_keep = 2;      // user value: stdin strings not yet sent
constexpr unsigned write_batch = 64;
const char* const stream_names[] = {"stdin", "stdout", "stderr"};
const char eof_marker = 0;  // its address is proc.EOF

struct proc_handle;

// A coroutine suspended in h:wait() under luv, with its optional timeout.
struct waiter {
  luv_handle_t walk_standin;  // first: the timer is on luv's loop (luv.hpp)
  uv_timer_t timer;
  lua_State* co;
  int co_ref;
  proc_handle* owner;
  waiter* next;
};

struct proc_handle {
  ipc::handle base;
  proc_core* core;  // null once the process is finished or the handle closed
  ipc::loop_ref loop;
  lua_Integer pid;
  bool done;  // final status known
  bool timed_out;
  bool has_stdin;
  bool eof_sent;
  int64_t status;
  int signal;
  lua_State* in_callback;  // thread running a callback from h:wait()
  int self_ref;            // luv: keeps the handle alive while the child runs
  uint64_t seq_queued;     // stdin strings queued so far
  uint64_t seq_cleared;    // stdin strings dropped from the keep table
  waiter* waiters;
};

proc_handle* to_proc(lua_State* L, int idx) {
  return reinterpret_cast<proc_handle*>(ipc::check_open(L, idx));
}

int push_status(lua_State* L, const proc_handle* p) {
  if (p->signal) {
    luaL_pushfail(L);
    lua_pushliteral(L, "signal");
    lua_pushinteger(L, p->signal);
  } else {
    if (p->status == 0)
      lua_pushboolean(L, 1);
    else
      luaL_pushfail(L);
    lua_pushliteral(L, "exit");
    lua_pushinteger(L, static_cast<lua_Integer>(p->status));
  }
  return 3;
}

// Kills and reaps the child if needed, records its status and hands the
// core back to the engine to be closed and freed.
void finish_core(proc_handle* p) {
  proc_core* c = p->core;
  p->core = nullptr;
  p->timed_out = c->timed_out;
  bool exited;
  destroy(c, &exited, &p->status, &p->signal);
  p->done = true;
}

void free_waiter(uv_handle_t* h) { delete static_cast<waiter*>(h->data); }

// Resumes the coroutines of `list` (already unlinked from their handle).
// Their continuation looks at the handle to decide what wait returns.
void wake(lua_State* from, waiter* list) {
  while (list) {
    waiter* w = list;
    list = w->next;
    lua_State* co = w->co;
    lua_rawgeti(from, LUA_REGISTRYINDEX, w->co_ref);  // keep co alive
    luaL_unref(from, LUA_REGISTRYINDEX, w->co_ref);
    uv_close(reinterpret_cast<uv_handle_t*>(&w->timer), free_waiter);
    ipc::luv_resume(from, co);  // skips a coroutine the program closed meanwhile
    lua_pop(from, 1);
  }
}

void on_waiter_timer(uv_timer_t* t) {
  auto* w = static_cast<waiter*>(t->data);
  for (waiter** pp = &w->owner->waiters; *pp; pp = &(*pp)->next) {
    if (*pp == w) {
      *pp = w->next;
      break;
    }
  }
  w->next = nullptr;
  luv_ctx_t* ctx = w->owner->loop.luv;
  wake(ctx->L, w);
}

// Drops the luv-mode anchors of a handle; waiters are abandoned (used when
// the handle is collected, which cannot happen while a coroutine waits on
// it unless the whole state is closing).
void drop_anchors(proc_handle* p) {
  lua_State* M = p->loop.luv->L;
  if (p->self_ref != LUA_NOREF) {
    luaL_unref(M, LUA_REGISTRYINDEX, p->self_ref);
    p->self_ref = LUA_NOREF;
  }
  for (waiter* w = p->waiters; w;) {
    waiter* next = w->next;
    luaL_unref(M, LUA_REGISTRYINDEX, w->co_ref);
    uv_close(reinterpret_cast<uv_handle_t*>(&w->timer), free_waiter);
    w = next;
  }
  p->waiters = nullptr;
}

// close, __gc, __close: a child still running is killed and reaped.
int release(ipc::handle* h) {
  auto* p = reinterpret_cast<proc_handle*>(h);
  if (p->core) finish_core(p);
  if (p->loop.luv)
    drop_anchors(p);
  else if (!ipc::loop_busy(p->loop))
    ipc::run_step(p->loop, UV_RUN_NOWAIT);  // let libuv free what we closed
  return 0;
}

// Pushes the next recorded event as callback arguments (output first, then
// errors) and marks it delivered. Returns the number of arguments.
int push_event(lua_State* L, proc_core* c) {
  for (int s : {std_out, std_err}) {
    out_buffer& b = c->out[s];
    if (b.len) {
      size_t n = b.len - b.off;
      if (n > delivery_chunk) n = delivery_chunk;
      lua_pushstring(L, stream_names[s]);
      lua_pushlstring(L, b.data + b.off, n);
      b.off += n;
      if (b.off == b.len) consumed(c, s);
      return 2;
    }
  }
  for (int s : {std_in, std_out, std_err}) {
    if (c->error[s]) {
      int e = c->error[s];
      c->error[s] = 0;
      lua_pushstring(L, stream_names[s]);
      luaL_pushfail(L);
      lua_pushstring(L, strerror(e));
      lua_pushinteger(L, e);
      return 4;
    }
  }
  return 0;
}

// Drops the kept stdin strings that the engine no longer needs.
void clear_kept(lua_State* L, int idx, proc_handle* p) {
  uint64_t upto = p->core ? p->core->seq_done : p->seq_queued;
  if (upto <= p->seq_cleared) return;
  if (!p->core) {
    lua_pushnil(L);
    lua_setiuservalue(L, idx, uv_keep);
  } else if (lua_getiuservalue(L, idx, uv_keep) == LUA_TTABLE) {
    for (uint64_t i = p->seq_cleared + 1; i <= upto; i++) {
      lua_pushnil(L);
      lua_rawseti(L, -2, static_cast<lua_Integer>(i));
    }
    lua_pop(L, 1);
  } else {
    lua_pop(L, 1);
  }
  p->seq_cleared = upto;
}

// luv mode: the engine's notification after every event, on luv's main
// thread inside its loop. Delivers output at once, then finishes.
void on_notify(proc_core* c) {
  auto* p = static_cast<proc_handle*>(c->owner);
  luv_ctx_t* ctx = p->loop.luv;
  lua_State* M = ctx->L;
  int top = lua_gettop(M);
  // The handle stays on M's stack throughout: a callback may close it, and
  // then nothing else would keep it alive.
  lua_rawgeti(M, LUA_REGISTRYINDEX, p->self_ref);
  int self = top + 1;
  while (p->core == c && has_pending(c)) {
    lua_getiuservalue(M, self, uv_callback);
    int n = push_event(M, c);
    if (lua_isfunction(M, -n - 1))
      ctx->cb_pcall(M, n, 0, 0);
    lua_settop(M, self);
  }
  if (p->core == c && finished(c)) {
    finish_core(p);
    waiter* list = p->waiters;
    p->waiters = nullptr;
    luaL_unref(M, LUA_REGISTRYINDEX, p->self_ref);
    p->self_ref = LUA_NOREF;
    clear_kept(M, self, p);
    wake(M, list);
  }
  lua_settop(M, top);
}

// proc.spawn(cmd, options) -> handle | nil, message, errno

// options.stdin/stdout/stderr: true = pipe, false/nil = inherit, file.
stdio_kind check_stdio(lua_State* L, int s, int* fd) {
  int t = lua_getfield(L, 2, stream_names[s]);
  stdio_kind kind = stdio_inherit;
  if (t == LUA_TBOOLEAN) {
    kind = lua_toboolean(L, -1) ? stdio_pipe : stdio_inherit;
  } else if (t != LUA_TNIL) {
    auto* f = static_cast<luaL_Stream*>(luaL_testudata(L, -1, LUA_FILEHANDLE));
    if (!f)
      luaL_error(L, "bad argument #2 to 'spawn' (options.%s must be a boolean or a file)",
                 stream_names[s]);
    if (!f->closef)
      luaL_error(L, "bad argument #2 to 'spawn' (options.%s is a closed file)",
                 stream_names[s]);
    fflush(f->f);
    *fd = fileno(f->f);
    kind = stdio_fd;
  }
  lua_pop(L, 1);
  return kind;
}

double check_seconds(lua_State* L, const char* field, double dflt) {
  int t = lua_getfield(L, 2, field);
  double v = dflt;
  if (t != LUA_TNIL) {
    if (!lua_isnumber(L, -1))
      luaL_error(L, "bad argument #2 to 'spawn' (options.%s must be a number)", field);
    v = lua_tonumber(L, -1);
    if (v < 0 || v != v)
      luaL_error(L, "bad argument #2 to 'spawn' (options.%s must not be negative)", field);
  }
  lua_pop(L, 1);
  return v;
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

char** check_argv(lua_State* L) {
  lua_Integer n = luaL_len(L, 1);
  if (n < 1) luaL_argerror(L, 1, "empty command array");
  lua_createtable(L, static_cast<int>(n), 0);
  int anchor = lua_gettop(L);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, 1, i);
    size_t len;
    const char* s = lua_isstring(L, -1) ? lua_tolstring(L, -1, &len) : nullptr;
    if (!s) luaL_argerror(L, 1, "command array items must be strings");
    if (strlen(s) != len) luaL_argerror(L, 1, "command contains a zero byte");
    lua_rawseti(L, anchor, i);
  }
  return string_array(L, anchor, n);
}

// options.env and options.clear_env -> an environment, or nullptr for the
// parent's own.
char** check_env(lua_State* L) {
  int t = lua_getfield(L, 2, "env");
  int env = lua_gettop(L);
  if (t != LUA_TNIL && t != LUA_TTABLE)
    luaL_error(L, "bad argument #2 to 'spawn' (options.env must be a table)");
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
      const char* k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &klen) : nullptr;
      if (!k || klen == 0 || strchr(k, '=') || strlen(k) != klen)
        luaL_error(L, "bad argument #2 to 'spawn' (options.env names must be strings without '=')");
      int vt = lua_type(L, -1);
      if (vt == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        continue;
      }
      if (vt != LUA_TSTRING && vt != LUA_TNUMBER)
        luaL_error(L, "bad argument #2 to 'spawn' (options.env values must be strings, numbers or false)");
      lua_pushfstring(L, "%s=%s", k, lua_tostring(L, -1));
      lua_rawseti(L, anchor, ++n);
      lua_pop(L, 1);
    }
  }
  if (!clear) {
    for (char** e = environ; *e; e++) {
      const char* eq = strchr(*e, '=');
      if (!eq) continue;
      if (t == LUA_TTABLE) {
        lua_pushlstring(L, *e, static_cast<size_t>(eq - *e));
        bool named = lua_rawget(L, env) != LUA_TNIL;  // overridden or removed
        lua_pop(L, 1);
        if (named) continue;
      }
      lua_pushstring(L, *e);
      lua_rawseti(L, anchor, ++n);
    }
  }
  return string_array(L, anchor, n);
}

int global_spawn(lua_State* L) {
  int ct = lua_type(L, 1);
  if (ct != LUA_TSTRING && ct != LUA_TTABLE) luaL_typeerror(L, 1, "string or table");
  if (lua_isnoneornil(L, 2)) {
    lua_settop(L, 1);
    lua_newtable(L);
  }
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);

  spawn_request req{};
  for (int s = 0; s < 3; s++) req.kind[s] = check_stdio(L, s, &req.fd[s]);
  lua_getfield(L, 2, "callback");  // index 3
  if (!lua_isnil(L, 3) && !lua_isfunction(L, 3))
    luaL_error(L, "bad argument #2 to 'spawn' (options.callback must be a function)");
  if (lua_isnil(L, 3) && (req.kind[std_out] == stdio_pipe || req.kind[std_err] == stdio_pipe))
    luaL_error(L, "bad argument #2 to 'spawn' (options.callback is required when stdout or stderr is a pipe)");
  int t = lua_getfield(L, 2, "cwd");  // index 4
  if (t != LUA_TNIL && t != LUA_TSTRING)
    luaL_error(L, "bad argument #2 to 'spawn' (options.cwd must be a string)");
  req.cwd = lua_tostring(L, 4);
  lua_getfield(L, 2, "group");
  req.group = lua_toboolean(L, -1);
  lua_pop(L, 1);
  req.timeout = check_seconds(L, "timeout", 0);
  req.drain_timeout = check_seconds(L, "drain_timeout", 1);
  if (ct == LUA_TSTRING) {
    size_t len;
    const char* cmd = lua_tolstring(L, 1, &len);
    if (strlen(cmd) != len) luaL_argerror(L, 1, "command contains a zero byte");
    auto** a = static_cast<char**>(lua_newuserdatauv(L, 4 * sizeof(char*), 0));
    a[0] = const_cast<char*>("/bin/sh");
    a[1] = const_cast<char*>("-c");
    a[2] = const_cast<char*>(cmd);
    a[3] = nullptr;
    req.args = a;
  } else {
    req.args = check_argv(L);
  }
  req.file = req.args[0];
  req.env = check_env(L);

  ipc::loop_ref loop;
  int err = ipc::current_loop(L, &loop);
  if (err) return ipc::push_failure(L, err);
  auto* p = ipc::new_handle<proc_handle>(L, class_name, 2);
  p->self_ref = LUA_NOREF;
  p->loop = loop;
  lua_pushvalue(L, 3);
  lua_setiuservalue(L, -2, uv_callback);

  proc_core* c = nullptr;
  err = start(loop.loop, req, &c);
  if (err) {
    if (!loop.luv && !ipc::loop_busy(loop)) ipc::run_step(loop, UV_RUN_NOWAIT);
    return ipc::push_failure(L, err);
  }
  p->core = c;
  c->owner = p;
  p->pid = c->pid;
  p->has_stdin = req.kind[std_in] == stdio_pipe;
  p->base.release = release;
  if (loop.luv) {
    ipc::luv_walk_standin(L, loop.luv, &c->walk_standin);
    lua_pushvalue(L, -1);
    p->self_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    c->notify = on_notify;
  }
  return 1;
}

// h:write(...) -> true | nil, message, errno
int meth_write(lua_State* L) {
  proc_handle* p = to_proc(L, 1);
  int n = lua_gettop(L);
  if (!p->has_stdin) luaL_error(L, "h:write(): the process's stdin is not a pipe");
  if (p->eof_sent) luaL_error(L, "h:write(): stdin was already closed with proc.EOF");
  bool eof = false;
  for (int i = 2; i <= n; i++) {
    if (lua_touserdata(L, i) == &eof_marker && lua_islightuserdata(L, i)) {
      if (i != n) luaL_argerror(L, i, "nothing may follow proc.EOF");
      eof = true;
    } else {
      luaL_checkstring(L, i);
    }
  }
  if (eof) p->eof_sent = true;
  if (!p->core || !stdin_open(p->core)) return ipc::push_failure(L, EPIPE);
  if (lua_getiuservalue(L, 1, uv_keep) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, 1, uv_keep);
  }
  int keep = lua_gettop(L);
  clear_kept(L, 1, p);
  uv_buf_t bufs[write_batch];
  unsigned cnt = 0;
  int last = eof ? n - 1 : n;
  for (int i = 2; i <= last; i++) {
    size_t len;
    const char* s = lua_tolstring(L, i, &len);
    if (len == 0) continue;
    lua_pushvalue(L, i);
    lua_rawseti(L, keep, static_cast<lua_Integer>(++p->seq_queued));
    bufs[cnt++] = uv_buf_init(const_cast<char*>(s), static_cast<unsigned>(len));
    if (cnt == write_batch || i == last) {
      int err = write(p->core, bufs, cnt, p->seq_queued);
      cnt = 0;
      if (err) return ipc::push_failure(L, err);
    }
  }
  if (cnt) {
    int err = write(p->core, bufs, cnt, p->seq_queued);
    if (err) return ipc::push_failure(L, err);
  }
  if (eof) write_eof(p->core);
  lua_pushboolean(L, 1);
  return 1;
}

// h:kill([sig]) -> true | nil, message, errno
int meth_kill(lua_State* L) {
  static const char* const names[] = {"term", "kill", "int",  "hup",  "quit",
                                      "usr1", "usr2", "stop", "cont", nullptr};
  static const int numbers[] = {SIGTERM, SIGKILL, SIGINT,  SIGHUP, SIGQUIT,
                                SIGUSR1, SIGUSR2, SIGSTOP, SIGCONT};
  proc_handle* p = to_proc(L, 1);
  int sig;
  if (lua_type(L, 2) == LUA_TNUMBER) {
    lua_Integer n = luaL_checkinteger(L, 2);
    if (n < 0 || n >= NSIG) luaL_argerror(L, 2, "invalid signal number");
    sig = static_cast<int>(n);
  } else {
    sig = numbers[luaL_checkoption(L, 2, "term", names)];
  }
  return ipc::push_result(L, p->core ? send_signal(p->core, sig) : ESRCH);
}

// h:pid() -> integer
int meth_pid(lua_State* L) {
  lua_pushinteger(L, to_proc(L, 1)->pid);
  return 1;
}

// h:timed_out() -> boolean
int meth_timed_out(lua_State* L) {
  proc_handle* p = to_proc(L, 1);
  lua_pushboolean(L, p->core ? p->core->timed_out : p->timed_out);
  return 1;
}

// Stack of a waiting h:wait(): 1 handle, 2 timeout, 3 deadline or nil,
// 4 whether the last non-blocking poll has been made.
constexpr int slot_deadline = 3, slot_polled = 4;

bool deadline_passed(lua_State* L, ipc::proc::proc_core* c, bool* arm) {
  *arm = false;
  if (lua_isnil(L, slot_deadline)) return false;
  double left = lua_tonumber(L, slot_deadline) - ipc::monotonic_now();
  if (left <= 0) return true;
  uv_update_time(c->loop);  // its clock is stale when the loop sat idle
  uv_timer_start(&c->wait_timer, [](uv_timer_t*) {}, ipc::proc::to_ms(left), 0);
  *arm = true;
  return false;
}

// Runs one loop step of a blocking wait. Once the deadline has passed, the
// loop is polled one last time; returns false when wait must give up.
bool wait_step(lua_State* L, proc_handle* p) {
  bool armed;
  if (deadline_passed(L, p->core, &armed)) {
    if (lua_toboolean(L, slot_polled)) return false;
    lua_pushboolean(L, 1);
    lua_replace(L, slot_polled);
    ipc::run_step(p->loop, UV_RUN_NOWAIT);
    return true;
  }
  ipc::run_step(p->loop, UV_RUN_ONCE);
  if (armed && p->core) uv_timer_stop(&p->core->wait_timer);
  return true;
}

int drive_k(lua_State* L, int status, lua_KContext);

// Plain mode: deliver recorded events, else run one loop step, until the
// process is finished or the deadline passes. Progress lives in the core.
int drive(lua_State* L) {
  for (;;) {
    auto* p = reinterpret_cast<proc_handle*>(lua_touserdata(L, 1));
    if (p->done) return push_status(L, p);  // also when closed by a callback
    if (!p->base.is_open()) ipc::raise_closed(L);
    proc_core* c = p->core;
    if (has_pending(c)) {
      lua_getiuservalue(L, 1, uv_callback);
      int n = push_event(L, c);
      if (!lua_isfunction(L, -n - 1)) {
        lua_pop(L, n + 1);
        continue;
      }
      p->in_callback = L;
      int st = lua_pcallk(L, n, 0, 0, 0, drive_k);
      p = reinterpret_cast<proc_handle*>(lua_touserdata(L, 1));
      p->in_callback = nullptr;
      if (st != LUA_OK) return lua_error(L);
      continue;
    }
    clear_kept(L, 1, p);
    if (finished(c)) {
      finish_core(p);
      clear_kept(L, 1, p);
      if (!ipc::loop_busy(p->loop)) ipc::run_step(p->loop, UV_RUN_NOWAIT);
      return push_status(L, p);
    }
    if (!wait_step(L, p)) {
      lua_pushboolean(L, 0);
      return 1;
    }
  }
}

int drive_k(lua_State* L, int status, lua_KContext) {
  auto* p = reinterpret_cast<proc_handle*>(lua_touserdata(L, 1));
  p->in_callback = nullptr;
  if (status != LUA_OK && status != LUA_YIELD) return lua_error(L);
  return drive(L);
}

bool is_waiting(const proc_handle* p, lua_State* L) {
  for (const waiter* w = p->waiters; w; w = w->next)
    if (w->co == L) return true;
  return false;
}

// luv mode, in a coroutine: resumed by the loop when the process finished,
// the handle was closed, or the timeout passed.
int wait_luv_k(lua_State* L, int, lua_KContext) {
  auto* p = reinterpret_cast<proc_handle*>(lua_touserdata(L, 1));
  if (p->done) return push_status(L, p);
  if (is_waiting(p, L)) return lua_yieldk(L, 0, 0, wait_luv_k);  // not ours
  lua_pushboolean(L, 0);
  return 1;
}

// luv mode, blocking: run luv's loop ourselves; events are delivered by
// on_notify from inside the loop.
int drive_luv(lua_State* L) {
  for (;;) {
    auto* p = reinterpret_cast<proc_handle*>(lua_touserdata(L, 1));
    if (p->done) return push_status(L, p);
    if (!p->base.is_open()) ipc::raise_closed(L);
    if (!wait_step(L, p)) {
      lua_pushboolean(L, 0);
      return 1;
    }
  }
}

// h:wait([timeout]) -> true|nil, "exit"|"signal", code | false
int meth_wait(lua_State* L) {
  proc_handle* p = to_proc(L, 1);
  double timeout = luaL_optnumber(L, 2, -1);
  lua_settop(L, 2);
  if (p->done) return push_status(L, p);
  if (p->in_callback == L)
    luaL_error(L, "h:wait() called from inside the process's own callback");
  if (timeout >= 0)
    lua_pushnumber(L, ipc::monotonic_now() + timeout);
  else
    lua_pushnil(L);
  lua_pushboolean(L, 0);
  if (!p->loop.luv) return drive(L);
  if (ipc::luv_can_suspend(L) && *p->loop.depth == 0) {
    if (timeout == 0) {
      lua_pushboolean(L, 0);
      return 1;
    }
    luv_handle_t standin;  // before anything that a raise would leak
    ipc::luv_walk_standin(L, p->loop.luv, &standin);
    lua_pushthread(L);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    auto* w = new (std::nothrow) waiter();
    if (!w) {
      luaL_unref(L, LUA_REGISTRYINDEX, ref);
      return luaL_error(L, "not enough memory");
    }
    w->walk_standin = standin;
    uv_timer_init(p->loop.loop, &w->timer);
    w->timer.data = w;
    w->co = L;
    w->co_ref = ref;
    w->owner = p;
    w->next = p->waiters;
    p->waiters = w;
    uv_update_time(p->loop.loop);
    if (timeout > 0)
      uv_timer_start(&w->timer, on_waiter_timer, to_ms(timeout), 0);
    return lua_yieldk(L, 0, 0, wait_luv_k);
  }
  if (ipc::loop_busy(p->loop))
    luaL_error(L, "h:wait() cannot block inside a running uv loop: call it from a coroutine");
  return drive_luv(L);
}

// h:close() -> true; under luv, coroutines waiting on the handle resume and
// their wait returns the status of the killed child.
int meth_close(lua_State* L) {
  proc_handle* p = to_proc(L, 1);
  waiter* list = p->waiters;
  p->waiters = nullptr;
  ipc::close_handle(&p->base);
  if (list) wake(L, list);
  lua_pushboolean(L, 1);
  return 1;
}

const luaL_Reg methods[] = {
    {"write", meth_write},
    {"kill", meth_kill},
    {"pid", meth_pid},
    {"timed_out", meth_timed_out},
    {"wait", meth_wait},
    {"close", meth_close},
    {nullptr, nullptr},
};

// proc.run(cmd [, options]) on top of spawn and wait, in Lua so that it
// yields wherever wait yields.
const char run_source[] = R"lua(
local spawn, EOF = ...
local concat = table.concat
return function(cmd, options)
  if options ~= nil and type(options) ~= "table" then
    error("bad argument #2 to 'run' (table expected, got " .. type(options) .. ")", 2)
  end
  local o = {}
  for k, v in pairs(options or {}) do o[k] = v end
  local input, max = o.input, o.max_output
  o.input, o.max_output = nil, nil
  if o.callback ~= nil then
    error("bad argument #2 to 'run' (options.callback is not allowed)", 2)
  end
  if input ~= nil and type(input) ~= "string" then
    error("bad argument #2 to 'run' (options.input must be a string)", 2)
  end
  if max ~= nil and (math.type(max) ~= "integer" or max < 0) then
    error("bad argument #2 to 'run' (options.max_output must be a non-negative integer)", 2)
  end
  if input then o.stdin = true end
  if o.stdout == nil then o.stdout = true end
  if o.stderr == nil then o.stderr = true end
  local chunks = { stdout = {}, stderr = {} }
  local sizes = { stdout = 0, stderr = 0 }
  local truncated = false
  function o.callback(stream, data)
    local t = chunks[stream]
    if not t or not data then return end  -- stdin errors: the child quit reading
    local size = sizes[stream]
    if max and size + #data > max then
      truncated = true
      data = data:sub(1, max - size)
      if #data == 0 then return end
    end
    sizes[stream] = size + #data
    t[#t + 1] = data
  end
  local done, h, msg, code = pcall(spawn, cmd, o)
  if not done then  -- misuse: report it as run's, at the caller's level
    error((tostring(h):gsub("^[^:]*:%d+: ", ""):gsub("'[%w._]*spawn'", "'run'", 1)), 2)
  end
  if not h then return nil, msg, code end
  local _ <close> = h
  if o.stdin == true then  -- the child reads `input`, then end of file
    if input then h:write(input) end
    h:write(EOF)
  end
  local ok, what, status = h:wait()
  return {
    ok = ok, what = what, code = status,
    stdout = concat(chunks.stdout), stderr = concat(chunks.stderr),
    truncated = truncated, timed_out = h:timed_out(),
  }
end
)lua";

}  // namespace

IPC_EXPORT int luaopen_ipc_proc(lua_State* L) {
  // A child that closes its stdin must not kill us with SIGPIPE.
  ipc::guard_sigpipe();
  ipc::new_class(L, class_name, methods);
  lua_newtable(L);
  lua_pushcfunction(L, global_spawn);
  lua_setfield(L, -2, "spawn");
  lua_pushlightuserdata(L, const_cast<char*>(&eof_marker));
  lua_setfield(L, -2, "EOF");
  if (luaL_loadbuffer(L, run_source, sizeof run_source - 1, "=ipc.proc.run") != LUA_OK)
    return lua_error(L);
  lua_getfield(L, -2, "spawn");
  lua_getfield(L, -3, "EOF");
  lua_call(L, 2, 1);
  lua_setfield(L, -2, "run");
  return 1;
}
