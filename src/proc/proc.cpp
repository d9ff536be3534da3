// ipc.proc: child processes with their stdin, stdout and stderr on pipes.
// This file is the Lua face of the engine (engine.cpp): the handle, its
// methods, and the delivery of what the engine recorded to the user's
// callback. A wait is a wait_op (core/suspend.hpp): its step delivers the
// handle's recorded events with calls that may yield, and finishes once the
// child has exited and every byte has been delivered.
//
// Handles spawned while luv is loaded are luv handles: they stay anchored
// while their child runs, and their callbacks are delivered by the loop's
// step (ipc.loop.step, run by the luv driver) as soon as output arrives,
// not by wait. proc.run lives in lua/ipc/face/proc.lua.
#include <cctype>
#include <csignal>
#include <cstring>
#include <initializer_list>

#include "../core/faces.hpp"
#include "../core/handle.hpp"
#include "../core/loop.hpp"
#include "../core/luv_driver.hpp"
#include "../core/status.hpp"
#include "../core/step.hpp"
#include "../core/suspend.hpp"
#include "../core/version.hpp"
#include "../platform/signals.hpp"
#include "../platform/sigpipe.hpp"
#include "command.hpp"
#include "engine.hpp"
#include "ipc_faces.hpp"
#include "options.hpp"
#include "proc_handle.hpp"
#include "stream.hpp"

namespace ipc::proc {
namespace {

constexpr const char* class_name = "ipc.proc";
constexpr unsigned write_batch = 64;
// A string is handed to libuv in pieces of at most this many bytes.
constexpr size_t write_piece = size_t{1} << 30;
const char eof_marker = 0;  // its address is proc.EOF

proc_handle* to_proc(lua_State* L, int idx) {
  auto* p = check_as<proc_handle>(L, idx);
  if (!owned_here(&p->base)) luaL_error(L, "handle belongs to another process");
  return p;
}

// close, __gc, __close: a child still running is killed and reaped (its
// group too with `group`). Never runs the loop: what libuv frees, it frees
// in a later run, so a caller that was in the middle of an event keeps
// valid memory.
int release(handle* h) {
  auto* p = reinterpret_cast<proc_handle*>(h);
  if (child* c = p->core) {
    p->core = nullptr;
    bool owner = owned_here(h);
    child_release(c, owner);
    if (!p->done && owner) {
      copy_status(p, c);
      p->done = c->exited;
    }
    // A host loop must step soon: the closes are done by the next run.
    // Without a host the next run is luaipc's own.
    if (owner && p->ls->hosted) poke(p->ls);
  }
  return 0;
}

// proc.spawn(cmd [, options]) -> handle | nil, message, errno
int spawn_as(lua_State* L, const char* fname) {
  spawn_request req{};
  check_spawn_args(L, fname, &req);
  int err = 0;
  loop_state* ls = loop_of(L, &err);
  if (!ls) return push_failure(L, err);
  bool luv = luv_loaded(L);
  if (luv) luv_attach(L);
  auto* p = new_handle<proc_handle>(L, class_name, 4);
  int idx = lua_gettop(L);
  p->self_ref = LUA_NOREF;
  lua_pushvalue(L, 3);
  lua_setiuservalue(L, idx, uv_callback);
  // A detached child has nothing to deliver and nothing to wait for.
  if (!req.detach) add_live(L, idx);  // before the start: cannot fail after it
  if (luv && !req.detach) {
    lua_pushvalue(L, idx);
    p->self_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  child* c = nullptr;
  lua_getfield(L, 2, "stdin");  // a stream handed over, or anything else
  stream_handoff_begin(L, -1);
  err = child_start(ls, req, &c);
  stream_handoff_end(L, -1, err == 0);
  lua_pop(L, 1);
  if (err) {
    unanchor(L, p);
    const char* what =
        err == ENOENT || err == EACCES || err == ENOEXEC ? req.file : nullptr;
    if (err == ENOTSUP && req.die_with_parent)
      lua_pushfstring(L, "die_with_parent: %s", std::strerror(err));
    else if (cwd_at_fault(req, err))
      lua_pushfstring(L, "cwd %s: %s", req.cwd, std::strerror(err));
    else if (const char* why = refusal(req, err))
      lua_pushfstring(L, "%s: %s", req.file, why);
    else if (what)
      lua_pushfstring(L, "%s: %s", what, std::strerror(err));
    else
      lua_pushstring(L, std::strerror(err));
    return push_failure(L, lua_tostring(L, -1), err);
  }
  p->core = c;
  p->ls = ls;
  p->pid = c->pid;
  p->luv_mode = luv;
  p->has_stdin = req.kind[std_in] == stdio_pipe;
  p->detached = req.detach;
  for (int s : {std_out, std_err})
    p->pulled[s] = req.pull && req.kind[s] == stdio_pipe;
  p->base.release = release;
  pump(ls);  // registers the new descriptors, so the loop's fd reports them
  luv_sync(L);
  lua_settop(L, idx);
  return 1;
}

int global_spawn(lua_State* L) {
  return spawn_as(L, "spawn");
}

// For proc.run (lua/ipc/face/proc.lua): spawn whose errors name `run`.
int global_spawn_for_run(lua_State* L) {
  return spawn_as(L, "run");
}

// For proc.lines: spawn whose errors name `lines`.
int global_spawn_for_lines(lua_State* L) {
  return spawn_as(L, "lines");
}

// Whether h:write, appending to a queue that holds bytes, runs the loop
// this time: once a pipe's worth of bytes (a run moves at most that into
// the pipe) or 16 calls were appended since the last run.
bool append_run_due(proc_handle* p, size_t bytes) {
  p->appended += bytes;
  if (++p->appends < 16 && p->appended < child_stdin_capacity(p->core))
    return false;
  p->appended = 0;
  p->appends = 0;
  return true;
}

// Hands the strings at [from, to] (numbered from `seq` on, empty ones
// skipped) to the engine, then proc.EOF with `eof`, and runs the loop.
// libuv writes at once when the queue is empty, and a child that closed its
// stdin must not kill us: SIGPIPE is blocked once around the writes and
// the run (platform/sigpipe.hpp). The run registers the write watcher of
// bytes left queued, sends what the queue held before as the child takes
// it (a program writing without waiting keeps only what the child has not
// taken yet) and reads the child's answer early. Skipping it after a write
// that went out whole made pipe_window slower (1.07 against 0.99 x luv):
// the answer is then read later and in larger pieces. When the queue
// already holds bytes, libuv only appends (it writes when the pipe has
// room, in a run): then neither guard nor run is needed for the call, and
// the run comes every pipe's worth (append_run_due). 10,000 writes of
// 64 KiB to a child that does not read: 8.9 ms before, 3.8 ms after. Calls
// no Lua. On failure the strings not handed over are no longer kept.
int queue_strings(lua_State* L, proc_handle* p, int from, int to, uint64_t seq,
                  bool eof) {
  bool appending = !eof && child_queued(p->core) > 0;
  sigpipe_guard guard;
  if (!appending) os_sigpipe_block(&guard);
  size_t bytes = 0;
  uv_buf_t bufs[write_batch];
  unsigned cnt = 0;
  uint64_t handed = seq - 1;  // the last string handed over, whole or not
  int err = 0;
  for (int i = from; i <= to && !err; i++) {
    size_t len;
    const char* s = lua_tolstring(L, i, &len);
    if (len == 0) continue;
    bytes += len;
    for (size_t off = 0; off < len && !err; off += write_piece) {
      uv_buf_t b;
      b.base = const_cast<char*>(s + off);
      b.len = len - off < write_piece ? len - off : write_piece;
      bufs[cnt++] = b;
      bool whole = off + b.len == len;
      if (cnt == write_batch || (i == to && whole)) {
        // A batch ending inside a string does not finish it.
        err = child_write(p->core, bufs, cnt, whole ? seq : seq - 1);
        if (!err) handed = seq;
        cnt = 0;
      }
    }
    seq++;
  }
  if (!err && eof) child_write_eof(p->core);
  if (!appending) {
    p->appended = p->appends = 0;
    pump_guarded(p->ls);
    os_sigpipe_unblock(&guard);
  } else if (append_run_due(p, bytes)) {
    pump(p->ls);  // guarded: writes are queued
  }
  if (err) {
    // Not handed over: nothing will report them done.
    if (lua_getiuservalue(L, 1, uv_stdin_keep) == LUA_TTABLE)
      for (uint64_t k = handed + 1; k <= p->seq_queued; k++) {
        lua_pushnil(L);
        lua_rawseti(L, -2, static_cast<lua_Integer>(k));
      }
    lua_pop(L, 1);
    p->seq_queued = handed;
  }
  return err;
}

// h:write(...) -> true | nil, message, errno
int meth_write(lua_State* L) {
  proc_handle* p = to_proc(L, 1);
  int n = lua_gettop(L);
  if (!p->has_stdin)
    luaL_error(L, "h:write(): the process's stdin is not a pipe");
  if (p->eof_sent)
    luaL_error(L, "h:write(): stdin was already closed with proc.EOF");
  bool eof = false;
  for (int i = 2; i <= n; i++) {
    if (lua_touserdata(L, i) == &eof_marker && lua_islightuserdata(L, i)) {
      if (i != n) luaL_argerror(L, i, "nothing may follow proc.EOF");
      eof = true;
    } else {
      luaL_checkstring(L, i);  // may convert a number: an allocation
    }
  }
  if (lua_getiuservalue(L, 1, uv_stdin_keep) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, 1, uv_stdin_keep);
  }
  int keep = lua_gettop(L);
  // Anything above may have run a finalizer that closed the handle.
  if (!p->base.is_open()) raise_closed(L);
  if (eof) p->eof_sent = true;
  if (!p->core || p->done || !child_stdin_open(p->core))
    return push_failure(L, EPIPE);
  clear_kept(L, 1, p);
  // The strings are kept first, since keeping may raise (memory) or run a
  // finalizer; what follows calls no Lua while SIGPIPE is blocked.
  int last = eof ? n - 1 : n;
  uint64_t first_seq = p->seq_queued + 1;
  for (int i = 2; i <= last; i++) {
    if (lua_rawlen(L, i) == 0) continue;
    lua_pushvalue(L, i);
    lua_rawseti(L, keep, static_cast<lua_Integer>(++p->seq_queued));
    if (!p->core) raise_closed(L);  // the table may have grown: a collection
  }
  int err = queue_strings(L, p, 2, last, first_seq, eof);
  if (err) return push_failure(L, err);
  lua_pushboolean(L, 1);
  return 1;
}

// The signal named at `idx`: "term", "TERM" or "SIGTERM" alike.
int check_signal(lua_State* L, int idx) {
  if (lua_type(L, idx) == LUA_TNUMBER) {
    lua_Integer n = luaL_checkinteger(L, idx);
    if (n < 0 || n >= platform::signal_limit())
      luaL_argerror(L, idx, "invalid signal number");
    return static_cast<int>(n);
  }
  size_t len;
  const char* name = luaL_optlstring(L, idx, "term", &len);
  char lower[12];  // "sigusr1" and the like, NUL-terminated
  if (len < sizeof lower && std::strlen(name) == len) {
    for (size_t i = 0; i <= len; i++)
      lower[i] =
          static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    const char* bare = std::strncmp(lower, "sig", 3) == 0 ? lower + 3 : lower;
    if (int n = platform::signal_number(bare)) return n;
  }
  return luaL_argerror(L, idx,
                       lua_pushfstring(L,
                                       "unknown signal '%s'; accepted: term, "
                                       "kill, int, hup, quit, usr1, usr2, "
                                       "stop, cont (any case, SIG optional) "
                                       "or a number",
                                       lua_tostring(L, idx)));
}

// h:kill([sig]) -> true | nil, message, errno
int meth_kill(lua_State* L) {
  proc_handle* p = to_proc(L, 1);
  int sig = check_signal(L, 2);
  return push_result(L, p->core ? child_signal(p->core, sig) : ESRCH);
}

// h:pid() -> integer (also on a forked copy)
int meth_pid(lua_State* L) {
  auto* p = check_as<proc_handle>(L, 1);
  lua_pushinteger(L, p->pid);
  return 1;
}

// h:timed_out() -> boolean
int meth_timed_out(lua_State* L) {
  proc_handle* p = to_proc(L, 1);
  lua_pushboolean(L, p->core && !p->done ? p->core->timed_out : p->timed_out);
  return 1;
}

// A detached child is not this process's child: its end cannot be seen.
[[noreturn]] void raise_detached(lua_State* L, const char* method) {
  luaL_error(L, "h:%s(): a detached process cannot be waited for", method);
  __builtin_unreachable();
}

// The step of h:wait(): stack 1 handle, 2 timeout, 3.. wait's own slots.
int wait_step(lua_State* L, loop_state*);
int wait_expired(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}
// Pulled streams are read on demand again once a wait gave up.
void stop_draining(proc_handle* p) {
  if (p->base.is_open() && p->core && p->core->pulled)
    child_drain(p->core, false);
}
int wait_handle_expired(lua_State* L) {
  stop_draining(static_cast<proc_handle*>(lua_touserdata(L, 1)));
  return wait_expired(L);
}
const wait_op wait_op_def = {3, wait_step, wait_handle_expired, nullptr, false};
int wait_any_step(lua_State* L, loop_state*);
int wait_any_expired(lua_State* L);
const wait_op wait_any_op = {3, wait_any_step, wait_any_expired, nullptr,
                             false};

int wait_step(lua_State* L, loop_state*) {
  auto* p = static_cast<proc_handle*>(lua_touserdata(L, 1));
  if (p->done) return push_status(L, p);  // also when closed by a callback
  if (!p->base.is_open()) raise_closed(L);
  if (!p->core) return push_failure(L, ECHILD);
  if (!p->luv_mode) {
    int nargs = push_event(L, 1, p);
    if (nargs >= 0) {
      call_in_step(L, nargs, &wait_op_def);
      return step_again;
    }
  }
  clear_kept(L, 1, p);
  if (settle_if_finished(L, 1, p)) {
    forget_live(L, 1);
    luv_sync(L);
    return push_status(L, p);
  }
  if (p->core->pulled) child_drain(p->core, true);  // so that it can finish
  return step_wait;
}

// h:wait([timeout]) -> true|nil, "exit"|"signal", code | false
int meth_wait(lua_State* L) {
  proc_handle* p = to_proc(L, 1);
  double timeout = check_seconds_arg(L, 2, -1);
  if (p->detached) raise_detached(L, "wait");
  if (p->done) return push_status(L, p);
  return wait(L, &wait_op_def, timeout);
}

// h:close() -> true
int meth_close(lua_State* L) {
  auto* p = check_as<proc_handle>(L, 1);
  close_streams(L, 1);
  close_handle(&p->base);
  unanchor(L, p);
  luv_sync(L);
  lua_pushboolean(L, 1);
  return 1;
}

// h:queued() -> bytes written with h:write and not yet taken by the pipe
int meth_queued(lua_State* L) {
  proc_handle* p = to_proc(L, 1);
  size_t n = p->core && !p->done ? child_queued(p->core) : 0;
  lua_pushinteger(L, static_cast<lua_Integer>(n));
  return 1;
}

// The step of h:drain(): stack 1 handle, 2 timeout, 3.. wait's own slots.
int drain_step(lua_State* L, loop_state*);
const wait_op drain_op = {3, drain_step, wait_expired, nullptr, false};

int drain_step(lua_State* L, loop_state*) {
  auto* p = static_cast<proc_handle*>(lua_touserdata(L, 1));
  if (!p->base.is_open()) raise_closed(L);
  if (!p->luv_mode && p->core && !p->done) {
    // The child may need its output read before it reads more input.
    int nargs = push_event(L, 1, p);
    if (nargs >= 0) {
      call_in_step(L, nargs, &drain_op);
      return step_again;
    }
  }
  child* c = p->done ? nullptr : p->core;
  if (c && c->stdin_failed) return push_failure(L, c->stdin_failed);
  if (!c || child_queued(c) == 0) {
    lua_pushboolean(L, 1);
    return 1;
  }
  return step_wait;
}

// h:drain([timeout]) -> true | false | nil, message, errno
int meth_drain(lua_State* L) {
  to_proc(L, 1);
  double timeout = check_seconds_arg(L, 2, -1);
  return wait(L, &drain_op, timeout);
}

// The step of proc.wait_any(): stack 1 the handles, 2 timeout, 3.. wait's
// own slots. Finished handles first (in array order), then the events of
// every handle in the array, then one more look for a finished one.
// Item `i` of the array, pushed and checked; `mt` is the stack slot of the
// class's metatable (compared directly: luaL_testudata looks the class up
// by name for every item of every step).
proc_handle* handle_at(lua_State* L, lua_Integer i, int mt) {
  lua_rawgeti(L, 1, i);
  auto* p = static_cast<proc_handle*>(lua_touserdata(L, -1));
  if (p && lua_getmetatable(L, -1)) {
    if (!lua_rawequal(L, -1, mt)) p = nullptr;
    lua_pop(L, 1);
  } else {
    p = nullptr;
  }
  if (!p)
    luaL_error(L, "bad argument #1 to 'wait_any' (item %d is not an ipc.proc)",
               static_cast<int>(i));
  if (!p->base.is_open())
    luaL_error(L, "bad argument #1 to 'wait_any' (item %d is closed)",
               static_cast<int>(i));
  if (p->detached)
    luaL_error(L, "bad argument #1 to 'wait_any' (item %d is detached)",
               static_cast<int>(i));
  return p;
}

bool is_finished(lua_State* L, int idx, proc_handle* p) {
  return p->done || settle_if_finished(L, idx, p);
}

// Returns the results of wait_any for item `i`, finished; the metatable at
// `mt` (the step's first own slot) is dropped from below them.
int wait_any_done(lua_State* L, lua_Integer i, int mt) {
  proc_handle* p = handle_at(L, i, mt);
  int idx = lua_gettop(L);
  forget_live(L, idx);
  lua_pushvalue(L, idx);
  int n = 1 + push_status(L, p);
  lua_remove(L, mt);
  return n;
}

// The first finished item of the array, or 0.
lua_Integer first_finished(lua_State* L, lua_Integer n, int mt) {
  for (lua_Integer i = 1; i <= n; i++) {
    bool done = is_finished(L, lua_gettop(L) + 1, handle_at(L, i, mt));
    lua_pop(L, 1);
    if (done) return i;
  }
  return 0;
}

// Slot 2 holds where the step goes on delivering (0 before the first step):
// one event is delivered per step (its callback may yield), and scanning
// the whole array again after each would make a wait over n busy children
// cost n per chunk of output. Finished handles are looked for first, and
// then, in the same pass that finds no handle with an event left, the
// first finished one in array order.
int wait_any_step(lua_State* L, loop_state*) {
  lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, 1));
  lua_Integer from = lua_tointeger(L, 2);
  int mt = lua_gettop(L) + 1;
  luaL_getmetatable(L, class_name);
  if (from == 0) {
    if (lua_Integer i = first_finished(L, n, mt))
      return wait_any_done(L, i, mt);
  }
  if (from < 1 || from > n) from = 1;
  lua_Integer finished = 0;
  for (lua_Integer k = 0; k < n; k++) {
    lua_Integer i = (from - 1 + k) % n + 1;
    proc_handle* p = handle_at(L, i, mt);
    int idx = lua_gettop(L);
    if (!p->luv_mode && p->core) {
      int nargs = push_event(L, idx, p);
      if (nargs >= 0) {
        lua_remove(L, -nargs - 2);  // the handle, below the callback
        lua_pushinteger(L, i);
        lua_replace(L, 2);
        call_in_step(L, nargs, &wait_any_op);
        lua_settop(L, mt - 1);
        return step_again;
      }
    }
    if (p->core && p->core->pulled) child_drain(p->core, true);
    if ((!finished || i < finished) && is_finished(L, idx, p)) finished = i;
    lua_pop(L, 1);
  }
  if (finished) return wait_any_done(L, finished, mt);
  lua_settop(L, mt - 1);
  return step_wait;
}

int wait_any_expired(lua_State* L) {
  lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, 1));
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, 1, i);
    auto* p = static_cast<proc_handle*>(luaL_testudata(L, -1, class_name));
    if (p) stop_draining(p);
    lua_pop(L, 1);
  }
  return wait_expired(L);
}

// proc.wait_any(handles [, timeout]) -> h, true|nil, "exit"|"signal", code
//                                     | false
int global_wait_any(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  double timeout = check_seconds_arg(L, 2, -1);
  lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, 1));
  luaL_argcheck(L, n > 0, 1, "no handles");
  lua_settop(L, 2);
  luaL_getmetatable(L, class_name);
  for (lua_Integer i = 1; i <= n; i++) {
    proc_handle* p = handle_at(L, i, 3);
    if (!owned_here(&p->base))
      luaL_error(L, "handle belongs to another process");
    lua_pop(L, 1);
  }
  lua_settop(L, 2);
  lua_pushinteger(L, 0);  // the step's cursor (see wait_any_step)
  lua_replace(L, 2);
  return wait(L, &wait_any_op, timeout);
}

// h:stdout(), h:stderr() -> the stream of a pulled pipe
int meth_stdout(lua_State* L) {
  push_stream(L, to_proc(L, 1), std_out);
  return 1;
}
int meth_stderr(lua_State* L) {
  push_stream(L, to_proc(L, 1), std_err);
  return 1;
}

// h:read(...), h:lines(...): the same on h:stdout()
int meth_read(lua_State* L) {
  push_stream(L, to_proc(L, 1), std_out);
  lua_replace(L, 1);
  return stream_read(L);
}
int meth_lines(lua_State* L) {
  push_stream(L, to_proc(L, 1), std_out);
  lua_replace(L, 1);
  return stream_lines(L);
}

const luaL_Reg methods[] = {
    {"stdout", meth_stdout}, {"stderr", meth_stderr},
    {"read", meth_read},     {"lines", meth_lines},
    {"write", meth_write},   {"queued", meth_queued},
    {"drain", meth_drain},   {"kill", meth_kill},
    {"pid", meth_pid},       {"timed_out", meth_timed_out},
    {"wait", meth_wait},     {"close", meth_close},
    {nullptr, nullptr},
};

}  // namespace
}  // namespace ipc::proc

IPC_EXPORT int luaopen_ipc_proc(lua_State* L) {
  using namespace ipc::proc;
  ipc::add_delivery(deliver_all);
  ipc::new_class(L, class_name, methods);
  stream_class(L);
  lua_newtable(L);
  lua_pushcfunction(L, global_spawn);
  lua_setfield(L, -2, "spawn");
  lua_pushcfunction(L, global_wait_any);
  lua_setfield(L, -2, "wait_any");
  lua_pushlightuserdata(L, const_cast<char*>(&eof_marker));
  lua_setfield(L, -2, "EOF");
  // The Lua face adds proc.run and proc.lines; it gets the module and
  // the spawns that name them in their errors.
  lua_pushvalue(L, -1);
  lua_pushcfunction(L, global_spawn_for_run);
  lua_pushcfunction(L, global_spawn_for_lines);
  ipc::call_face(L, ipc::faces::proc, "proc", 3);
  ipc::set_version(L);
  return 1;
}
