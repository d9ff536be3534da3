// The one way a call waits (see suspend.hpp).
#include "suspend.hpp"

#include <cstring>

#include "luv_driver.hpp"
#include "status.hpp"

namespace ipc {
namespace {

const char scheduler_key = 0;  // its address is the registry key

// A blocking run wakes at least this often to notice an interrupt.
constexpr double interrupt_poll = 0.1;

enum class how { block, luv_block, luv_suspend, scheduler, refuse };

bool is_main(lua_State* L) {
  bool main = lua_pushthread(L) == 1;
  lua_pop(L, 1);
  return main;
}

how how_to_wait(lua_State* L, const wait_op* op) {
  bool main = is_main(L);
  bool can_yield = !main && lua_isyieldable(L);
  // Where it cannot suspend, a call that may block its thread does so
  // whatever luv does: no need to look for luv (three lookups by name).
  if (!can_yield && op->plain_block) return how::block;
  if (luv_loaded(L)) {
    if (!luv_running(L, main))
      return op->plain_block ? how::block : how::luv_block;
    if (can_yield) return how::luv_suspend;
    return op->plain_block ? how::block : how::refuse;
  }
  if (can_yield && push_scheduler(L)) {
    lua_pop(L, 1);
    return how::scheduler;
  }
  return how::block;
}

// Stack slots of wait(), from op->base: the deadline (or nil), whether the
// last poll after the deadline was made, the interrupt hook at the start.
int slot_deadline(const wait_op* op) {
  return op->base;
}
int slot_polled(const wait_op* op) {
  return op->base + 1;
}
int slot_hook(const wait_op* op) {
  return op->base + 2;
}

int drive(lua_State* L, const wait_op* op);

[[noreturn]] void refuse(lua_State* L) {
  luaL_error(L,
             "cannot wait inside a luv callback on the main thread: call it "
             "from a coroutine");
  __builtin_unreachable();
}

int drive_k(lua_State* L, int status, lua_KContext ctx) {
  auto* op = reinterpret_cast<const wait_op*>(ctx);
  if (status != LUA_OK && status != LUA_YIELD) return lua_error(L);
  lua_settop(L, slot_hook(op));  // values a resume passed in are not ours
  return drive(L, op);
}

// After the scheduler function returned (directly or after yielding):
// raises its error, or runs what woke it.
void after_scheduler(lua_State* L, const wait_op* op, int status) {
  if (status != LUA_OK && status != LUA_YIELD) {
    if (op->abandon) op->abandon(L);
    lua_error(L);
  }
  auto saved = reinterpret_cast<lua_Hook>(lua_touserdata(L, slot_hook(op)));
  lua_settop(L, slot_hook(op));
  int err = 0;
  if (loop_state* ls = loop_of(L, &err)) pump(ls);
  // A scheduler that returns at once makes this a polling loop, which an
  // interrupt must still end.
  check_interrupt(L, saved);
}

// The continuation of a scheduler function that yielded.
int scheduled_k(lua_State* L, int status, lua_KContext ctx) {
  auto* op = reinterpret_cast<const wait_op*>(ctx);
  after_scheduler(L, op, status);
  return drive(L, op);
}

loop_state* loop_or_raise(lua_State* L) {
  int err = 0;
  loop_state* ls = loop_of(L, &err);
  if (!ls)
    luaL_error(L, "cannot create the event loop: %s", std::strerror(err));
  return ls;
}

int drive(lua_State* L, const wait_op* op) {
  for (;;) {
    loop_state* ls = loop_or_raise(L);
    int n = op->step(L, ls);
    if (n == step_again) continue;
    if (n >= 0) {
      luv_done(L);
      return n;
    }
    double remaining = -1;
    if (!lua_isnil(L, slot_deadline(op))) {
      remaining = lua_tonumber(L, slot_deadline(op)) - monotonic_now();
      if (remaining <= 0) {
        if (lua_toboolean(L, slot_polled(op))) {
          luv_done(L);
          return op->expired(L);
        }
        lua_pushboolean(L, 1);
        lua_replace(L, slot_polled(op));
        pump(ls);
        continue;
      }
    }
    auto saved = reinterpret_cast<lua_Hook>(lua_touserdata(L, slot_hook(op)));
    switch (how_to_wait(L, op)) {
      case how::block:
        run_once(ls, remaining < 0 || remaining > interrupt_poll
                         ? interrupt_poll
                         : remaining);
        check_interrupt(L, saved);
        break;
      case how::luv_block:
        luv_block(L, remaining < 0 || remaining > interrupt_poll
                         ? interrupt_poll
                         : remaining);
        check_interrupt(L, saved);
        break;
      case how::luv_suspend:
        luv_suspend(L, remaining < 0 ? -1 : lua_tonumber(L, slot_deadline(op)),
                    op->key ? op->key(L) : nullptr);
        return lua_yieldk(L, 0, reinterpret_cast<lua_KContext>(op), drive_k);
      case how::scheduler: {
        double t = loop_timeout(ls);
        if (remaining >= 0 && (t < 0 || remaining < t)) t = remaining;
        push_scheduler(L);
        ls->hosted = true;  // the scheduler waits on the descriptor
        int fd = loop_fd(ls);
        if (fd >= 0)
          lua_pushinteger(L, fd);
        else
          lua_pushnil(L);
        if (t >= 0)
          lua_pushnumber(L, t);
        else
          lua_pushnil(L);
        // Returning without yielding continues this loop: no recursion,
        // however often the scheduler function returns at once.
        int st = lua_pcallk(L, 2, 0, 0, reinterpret_cast<lua_KContext>(op),
                            scheduled_k);
        after_scheduler(L, op, st);
        break;
      }
      case how::refuse:
        refuse(L);
    }
  }
}

}  // namespace

// Timeouts beyond this many seconds (about 31 years) mean none.
constexpr double forever_seconds = 1e9;

int wait(lua_State* L, const wait_op* op, double timeout) {
  // Refused whether or not it would have to wait this time: a program
  // must not work by the luck of a child's timing.
  if (how_to_wait(L, op) == how::refuse) refuse(L);
  lua_settop(L, op->base - 1);
  if (timeout >= 0 && timeout < forever_seconds)
    lua_pushnumber(L, monotonic_now() + timeout);
  else
    lua_pushnil(L);
  lua_pushboolean(L, 0);
  lua_pushlightuserdata(L, reinterpret_cast<void*>(main_hook(L)));
  return drive(L, op);
}

void call_in_step(lua_State* L, int nargs, const wait_op* op) {
  lua_callk(L, nargs, 0, reinterpret_cast<lua_KContext>(op), drive_k);
}

bool push_scheduler(lua_State* L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &scheduler_key) == LUA_TNIL) {
    lua_pop(L, 1);
    return false;
  }
  return true;
}

void set_scheduler(lua_State* L, int idx) {
  lua_pushvalue(L, idx);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &scheduler_key);
}

bool wait_blocks_thread(lua_State* L, const wait_op* op) {
  return how_to_wait(L, op) == how::block;
}

lua_Hook main_hook(lua_State* L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
  lua_State* main = lua_tothread(L, -1);
  lua_pop(L, 1);
  return main ? lua_gethook(main) : nullptr;
}

void check_interrupt(lua_State* L, lua_Hook saved) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
  lua_State* main = lua_tothread(L, -1);
  lua_pop(L, 1);
  if (!main) return;
  lua_Hook now = lua_gethook(main);
  if (now == saved || now == nullptr) return;
  // lua.c's SIGINT handler set a hook that raises "interrupted!" at the
  // next instruction of the main thread. A call blocked in C would only
  // see it once its wait ended; raise it now. On the main thread the hook
  // is cleared as lua.c's own does; in a coroutine it stays, so the main
  // thread is interrupted too once it runs again.
  if (main == L) lua_sethook(main, nullptr, 0, 0);
  luaL_error(L, "interrupted!");
}

}  // namespace ipc
