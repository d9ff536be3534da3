// The private libuv loop of a Lua state (see loop.hpp).
#include "loop.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "../platform/descriptors.hpp"
#include "../platform/sigpipe.hpp"
#include "alloc.hpp"
#include "runtime.hpp"
#include "status.hpp"

namespace ipc {
namespace {

const char state_key = 0;  // its address is the registry key

// A loop made before a fork shares its kernel objects (epoll set, eventfd)
// with the parent and must never be run or closed in the child: each loop
// records the process generation (runtime.hpp) it was made in.

void close_leftover(uv_handle_t* h, void*) {
  if (!uv_is_closing(h)) uv_close(h, nullptr);
}

// __gc of the state's loop sentinel: the state is closing, every handle of
// ours was finalized before (they were made later). What is left on the
// loop is closed and run to completion. A loop inherited through fork is
// left alone: closing it would take the parent's descriptors off the
// parent's epoll set.
int state_gc(lua_State* L) {
  auto* ls = static_cast<loop_state*>(lua_touserdata(L, 1));
  uv_loop_t* loop = ls->loop;
  ls->loop = nullptr;
  if (!loop || ls->generation != process_generation()) return 0;
  uv_walk(loop, close_leftover, nullptr);
  while (uv_loop_close(loop) == UV_EBUSY) uv_run(loop, UV_RUN_DEFAULT);
  destroy(loop);
  return 0;
}

void on_wake(uv_async_t*) {}  // the thread's results are read after the run
void on_alarm(uv_timer_t*) {}

// Checked until it passes once (see platform/descriptors.hpp).
int preflight_descriptors() {
  static bool done = false;
  if (done) return 0;
  int err = platform::check_spare_descriptors();
  if (!err) done = true;
  return err;
}

}  // namespace
void pump(loop_state* ls);
namespace {

int init_loop(loop_state* ls) {
  if (int err = preflight_descriptors()) return err;
  auto* loop = make<uv_loop_t>();
  if (!loop) return ENOMEM;
  int r = uv_loop_init(loop);
  if (r < 0) {
    destroy(loop);
    return errno_of(r);
  }
  r = uv_async_init(loop, &ls->wake, on_wake);
  if (r < 0) {
    uv_loop_close(loop);
    destroy(loop);
    return errno_of(r);
  }
  uv_unref(reinterpret_cast<uv_handle_t*>(&ls->wake));
  uv_timer_init(loop, &ls->alarm);
  uv_unref(reinterpret_cast<uv_handle_t*>(&ls->alarm));
  ls->loop = loop;
  ls->generation = process_generation();
  // libuv adds descriptors to its epoll set when it polls: one poll now
  // puts the wake handle's there, so a host polling loop_fd() sees wakes.
  pump(ls);
  return 0;
}

}  // namespace

loop_state* existing_loop(lua_State* L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &state_key);
  auto* ls = static_cast<loop_state*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (!ls || !ls->loop || ls->generation != process_generation())
    return nullptr;
  return ls;
}

loop_state* loop_of(lua_State* L, int* err) {
  *err = 0;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &state_key);
  auto* ls = static_cast<loop_state*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (!ls) {
    ls = static_cast<loop_state*>(lua_newuserdatauv(L, sizeof(loop_state), 0));
    *ls = loop_state{};
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, state_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &state_key);
  }
  if (ls->loop && ls->generation != process_generation()) {
    // A forked child: the inherited loop is the parent's; start afresh and
    // leave the old one (and whatever it holds) untouched.
    *ls = loop_state{};
  }
  if (!ls->loop && (*err = init_loop(ls)) != 0) return nullptr;
  return ls;
}

// After a run: see pump() in loop.hpp.
void after_run(loop_state* ls) {
  if (ls->dirty && ls->hosted && !ls->stepping) poke(ls);
}

void pump_guarded(loop_state* ls) {
  // A loop with nothing active returns from uv_run without polling; the
  // wake handle, referenced for this run, makes it poll once, so that what
  // its descriptor reports is always taken off (a host loop polling the
  // descriptor would otherwise wake again and again).
  uv_handle_t* wake = reinterpret_cast<uv_handle_t*>(&ls->wake);
  uv_ref(wake);
  uv_run(ls->loop, UV_RUN_NOWAIT);
  uv_unref(wake);
  after_run(ls);
}

// A run writes only where writes are queued (h:write wrote what the pipe
// took at once, under a guard of its own): only then is SIGPIPE blocked
// around it (platform/sigpipe.hpp). A run that reads costs three system
// calls fewer.
void pump(loop_state* ls) {
  if (!ls->writing) return pump_guarded(ls);
  sigpipe_guard guard;
  os_sigpipe_block(&guard);
  pump_guarded(ls);
  os_sigpipe_unblock(&guard);
}

void run_once(loop_state* ls, double seconds) {
  uv_handle_t* alarm = reinterpret_cast<uv_handle_t*>(&ls->alarm);
  if (seconds >= 0) {
    double ms = std::ceil(seconds * 1000.0);
    if (ms > 1e12) ms = 1e12;
    uv_update_time(ls->loop);
    uv_timer_start(&ls->alarm, on_alarm, static_cast<uint64_t>(ms), 0);
    uv_ref(alarm);
  }
  sigpipe_guard guard;
  bool writes = ls->writing != 0;  // see pump()
  if (writes) os_sigpipe_block(&guard);
  uv_run(ls->loop, UV_RUN_ONCE);
  if (writes) os_sigpipe_unblock(&guard);
  uv_timer_stop(&ls->alarm);
  uv_unref(alarm);
  after_run(ls);
}

double loop_timeout(loop_state* ls) {
  // libuv answers 0 for a loop with nothing active; for a host loop that
  // means "no timer".
  if (ls->dirty) return 0;
  if (!uv_loop_alive(ls->loop)) return -1;
  uv_update_time(ls->loop);
  int ms = uv_backend_timeout(ls->loop);
  if (ms < 0) return -1;
  return ms / 1000.0;
}

// IPC_LOOP_NO_POLLFD=1 in the environment hides the descriptor, as on
// Windows, so that the paths of hosts without one (the luv driver's
// ticking timer, a scheduler called without a descriptor) run on any
// machine.
int loop_fd(loop_state* ls) {
  static std::atomic<int> hidden{-1};
  if (env_switch("IPC_LOOP_NO_POLLFD", &hidden)) return -1;
  return uv_backend_fd(ls->loop);
}

bool loop_active(loop_state* ls) {
  return ls->busy > 0 || ls->dirty || uv_loop_alive(ls->loop);
}

void poke(loop_state* ls) {
  uv_async_send(&ls->wake);
}

double monotonic_now() {
  return static_cast<double>(uv_hrtime()) / 1e9;
}

}  // namespace ipc
