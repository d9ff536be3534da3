// Delivery of what the engine recorded to the Lua side of process handles
// (see proc_handle.hpp): the events of one handle for its wait, and those
// of every live handle for the loop's step.
#include <cstring>
#include <initializer_list>

#include "../core/status.hpp"
#include "proc_handle.hpp"

namespace ipc::proc {
namespace {

const char* const stream_names[] = {"stdin", "stdout", "stderr"};
const char live_key = 0;  // registry: weak set of live handles

}  // namespace

int push_status(lua_State* L, const proc_handle* p) {
  if (p->status_lost) {
    // The status was taken by others (SIGCHLD ignored): as os.execute says.
    return push_failure(L, ECHILD);
  }
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

void copy_status(proc_handle* p, const child* c) {
  p->timed_out = c->timed_out;
  p->status_lost = c->status_lost;
  p->status = c->exit_status;
  p->signal = c->term_signal;
}

// Drops the anchor of a luv handle.
void unanchor(lua_State* L, proc_handle* p) {
  if (p->self_ref == LUA_NOREF) return;
  luaL_unref(L, LUA_REGISTRYINDEX, p->self_ref);
  p->self_ref = LUA_NOREF;
}

// Pushes the callback and the arguments of the next recorded event (output
// first, then errors) and marks it delivered; returns the number of
// arguments, or -1 when nothing is pending. The output string is pushed
// first: an allocation may run a finalizer that closes the handle, and the
// record stays valid until the loop runs again, but no longer.
int push_event(lua_State* L, int idx, proc_handle* p) {
  child* c = p->core;
  if (lua_getiuservalue(L, idx, uv_callback) == LUA_TNIL) {
    // Nobody to deliver to (streams that are not pipes report nothing but
    // stdin errors): the events are dropped, except what pulled streams
    // buffered for their reads.
    lua_pop(L, 1);
    c->error[std_in] = 0;
    if (c->pulled) return -1;  // pulled output waits for the reads
    for (int s : {std_out, std_err})
      if (c->out[s].len) child_consumed(c, s);
    for (int& e : c->error) e = 0;
    return -1;
  }
  lua_pop(L, 1);
  for (int s : {std_out, std_err}) {
    out_buffer& b = c->out[s];
    if (!b.len) continue;
    size_t n = b.len - b.off;
    if (n > delivery_chunk) n = delivery_chunk;
    lua_pushlstring(L, b.data + b.off, n);
    b.off += n;
    if (b.off == b.len) child_consumed(c, s);
    lua_getiuservalue(L, idx, uv_callback);
    lua_pushstring(L, stream_names[s]);
    lua_rotate(L, -3, 1);  // callback, stream, data
    lua_rotate(L, -3, 1);
    return 2;
  }
  for (int s : {std_in, std_out, std_err}) {
    if (!c->error[s]) continue;
    int e = c->error[s];
    c->error[s] = 0;
    lua_getiuservalue(L, idx, uv_callback);
    lua_pushstring(L, stream_names[s]);
    luaL_pushfail(L);
    lua_pushstring(L, std::strerror(e));
    lua_pushinteger(L, e);
    return 4;
  }
  return -1;
}

// Drops the kept stdin strings that the engine no longer needs.
void clear_kept(lua_State* L, int idx, proc_handle* p) {
  bool running = p->core && !p->done;
  uint64_t upto = running ? p->core->seq_done : p->seq_queued;
  if (upto <= p->seq_cleared) return;
  if (!running) {
    // Nothing will be sent any more: the whole table goes.
    lua_pushnil(L);
    lua_setiuservalue(L, idx, uv_stdin_keep);
  } else if (lua_getiuservalue(L, idx, uv_stdin_keep) == LUA_TTABLE) {
    // The table itself stays: h:write may be adding to it right now.
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

// Records the end of the child's run in the handle once it is finished.
bool settle_if_finished(lua_State* L, int idx, proc_handle* p) {
  if (p->done) return true;
  if (!p->core || !child_finished(p->core)) return false;
  copy_status(p, p->core);
  p->done = true;
  clear_kept(L, idx, p);
  unanchor(L, p);
  return true;
}

// The loop's step: every live handle's recorded events are delivered, in
// luv mode or from ipc.loop.step(). Callbacks run unprotected: an error
// propagates to whoever runs the step (luv reports it as its own).
void deliver_all(lua_State* L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &live_key) != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  int live = lua_gettop(L);
  lua_newtable(L);  // a snapshot: callbacks may spawn and close
  int list = live + 1;
  lua_Integer n = 0;
  lua_pushnil(L);
  while (lua_next(L, live)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, list, ++n);
  }
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, list, i);
    int idx = lua_gettop(L);
    auto* p = static_cast<proc_handle*>(lua_touserdata(L, idx));
    for (;;) {
      if (!p->base.is_open() || p->done || !p->core) break;
      int nargs = push_event(L, idx, p);
      if (nargs < 0) break;
      lua_call(L, nargs, 0);
    }
    if (p->base.is_open() && p->core) {
      clear_kept(L, idx, p);
      if (settle_if_finished(L, idx, p)) {
        lua_pushvalue(L, idx);
        lua_pushnil(L);
        lua_rawset(L, live);
      } else if (p->core->pulled && p->core->exited &&
                 !child_has_pending(p->core)) {
        // Only pulled output is left: it waits for the reads of whoever
        // holds the handle or one of its streams (which keeps the handle),
        // so the anchor has nothing left to keep alive.
        unanchor(L, p);
      }
    }
    lua_settop(L, list);
  }
  lua_settop(L, live - 1);
}

void add_live(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &live_key) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &live_key);
  }
  lua_pushvalue(L, idx);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

void forget_live(lua_State* L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &live_key) == LUA_TTABLE) {
    lua_pushvalue(L, idx);
    lua_pushnil(L);
    lua_rawset(L, -3);
  }
  lua_pop(L, 1);
}

}  // namespace ipc::proc
