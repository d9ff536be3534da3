// ipc.sem: named POSIX semaphores.
// The creator's close (or __gc) removes the name, as long as it still
// refers to the semaphore created and the handle was made by this process
// (see core/named.hpp); handles that are already open keep working. Waits
// with a timeout use an absolute deadline on the platform's wait clock
// (monotonic where it can), so a signal (EINTR, retried) cannot stretch or
// cut them. Every access to the semaphore's memory is guarded like a mapped
// file (core/fault.hpp): if its file is empty or cut short by someone else,
// calls return nil, message, EFAULT instead of dying of SIGBUS.
// A dec that has to wait in a coroutine that may not block its thread
// (under luv or a scheduler, see core/suspend.hpp) waits on a thread of
// its own (core/blocking.hpp), which holds its own reference to the
// mapping; a plain dec waits in slices, so that an interrupt ends it.
#include <time.h>

#include <atomic>
#include <cmath>

#include "../core/alloc.hpp"
#include "../core/blocking.hpp"
#include "../core/fault.hpp"
#include "../core/handle.hpp"
#include "../core/named.hpp"
#include "../core/status.hpp"
#include "../core/suspend.hpp"
#include "../core/version.hpp"
#include "../platform/semaphore.hpp"

namespace {

constexpr const char* class_name = "ipc.sem";

// Timeouts beyond this many seconds (about 31 years) mean "forever".
constexpr double forever_seconds = 1e9;

// The mapping of a semaphore, shared by its handle and the threads that
// wait on it: the last of them unmaps it.
using os_sem = ipc::platform::os_sem;

struct shared_sem {
  os_sem* sem;
  std::atomic<int> refs;
};

int unref_sem(shared_sem* sh) {
  if (sh->refs.fetch_sub(1) != 1) return 0;
  int err = ipc::platform::sem_close_handle(sh->sem);
  ipc::destroy(sh);
  return err;
}

struct semaphore {
  ipc::handle base;
  os_sem* sem;
  shared_sem* shared;
  bool lost;  // the semaphore's memory faulted: it is gone
  ipc::named name;
};

int release(ipc::handle* h) {
  auto* s = reinterpret_cast<semaphore*>(h);
  int err = ipc::unlink_if_created(h, &s->name);
  int close_err = unref_sem(s->shared);
  return err ? err : close_err;
}

// Runs `op` (returning 0 or an errno) on the memory of `s` with the SIGBUS
// guard armed for the calling thread; EFAULT, and `*lost` set, when the
// memory faulted. Usable on any thread.
template <class F>
int guarded(os_sem* s, bool* lost, F op) {
  if (*lost) return EFAULT;
  ipc::fault_state outer = ipc::fault_arm(reinterpret_cast<char*>(s),
                                          ipc::platform::sem_memory_size());
  int err = op();
  if (ipc::fault_disarm(outer)) {
    *lost = true;
    return EFAULT;
  }
  return err;
}

// How h:dec() waits.
enum class wait_kind { try_once, forever, until };

struct wait_spec {
  wait_kind kind;
  timespec deadline;  // for `until`, on the platform's semaphore clock
};

// `seconds` from now on the semaphore clock.
timespec deadline_after(double seconds) {
  timespec t;
  clock_gettime(ipc::platform::sem_clock(), &t);
  double whole = std::floor(seconds);
  t.tv_sec += static_cast<time_t>(whole);
  t.tv_nsec += static_cast<long>((seconds - whole) * 1e9);
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec += 1;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

wait_spec make_wait(double timeout) {
  if (timeout == 0) return wait_spec{wait_kind::try_once, {}};
  if (timeout < 0 || timeout >= forever_seconds)
    return wait_spec{wait_kind::forever, {}};
  return wait_spec{wait_kind::until, deadline_after(timeout)};
}

// Decrements `s` as `w` says; returns 0, EAGAIN when it could not decrement
// in time, or another errno. EINTR is retried against the same deadline.
int sem_down(os_sem* s, const wait_spec& w) {
  int r;
  if (w.kind == wait_kind::try_once)
    r = ipc::retry_eintr([&] { return ipc::platform::sem_try(s); });
  else if (w.kind == wait_kind::forever)
    r = ipc::retry_eintr([&] { return ipc::platform::sem_wait_forever(s); });
  else
    r = ipc::retry_eintr(
        [&] { return ipc::platform::sem_wait_until(s, &w.deadline); });
  if (r == 0) return 0;
  return errno == ETIMEDOUT ? EAGAIN : errno;
}

// sem_down, guarded (see `guarded`).
int guarded_down(os_sem* s, bool* lost, const wait_spec& w) {
  return guarded(s, lost, [&] { return sem_down(s, w); });
}

// Pushes the result of h:dec(): true | false | nil, msg, errno.
int push_down_result(lua_State* L, int err) {
  if (err && err != EAGAIN) return ipc::push_failure(L, err);
  lua_pushboolean(L, err == 0);
  return 1;
}

// ---- Waits that may not block the thread --------------------------------

struct dec_job {
  ipc::blocking_job job;
  shared_sem* sem;  // a reference of its own
  wait_spec wait;
  bool lost;
  int err;
};

// How long one wait lasts before the next check: whether the caller has
// gone (a thread), or whether the program was interrupted (Ctrl-C).
constexpr double slice_seconds = 0.1;

bool before(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

// The next slice of the wait `w`; `last` when it ends at w's deadline. A
// post that arrives between two slices is not lost: the next wait takes it.
wait_spec next_slice(const wait_spec& w, bool* last) {
  wait_spec slice{wait_kind::until, deadline_after(slice_seconds)};
  *last = w.kind == wait_kind::until && !before(slice.deadline, w.deadline);
  return *last ? w : slice;
}

void dec_work(ipc::blocking_job* j) {
  auto* d = reinterpret_cast<dec_job*>(j);
  for (;;) {
    bool last;
    wait_spec slice = next_slice(d->wait, &last);
    d->err = guarded_down(d->sem->sem, &d->lost, slice);
    if (d->err != EAGAIN || last || j->abandoned()) return;
  }
}

// A post taken for a caller that has gone is given back.
void dec_undo(ipc::blocking_job* j) {
  auto* d = reinterpret_cast<dec_job*>(j);
  if (d->err == 0) ipc::platform::sem_up(d->sem->sem);
}

void dec_destroy(ipc::blocking_job* j) {
  auto* d = reinterpret_cast<dec_job*>(j);
  unref_sem(d->sem);
  ipc::destroy(d);
}

// The step of a dec waiting for its thread: stack 1 handle, 2 timeout,
// 3 the job's box, 4.. wait's own slots.
int dec_step(lua_State* L, ipc::loop_state*) {
  ipc::blocking_job* j = ipc::finished_job(L, 3);
  if (!j) return ipc::step_wait;
  auto* d = reinterpret_cast<dec_job*>(j);
  int err = d->err;
  if (d->lost) static_cast<semaphore*>(lua_touserdata(L, 1))->lost = true;
  ipc::finish_job(L, j);
  return push_down_result(L, err);
}

int dec_expired(lua_State* L) {  // no deadline is given: the thread has it
  lua_pushboolean(L, 0);
  return 1;
}

void dec_abandon(lua_State* L) {
  ipc::abandon_job(L, 3);
}

const void* dec_key(lua_State* L) {
  return ipc::job_key(L, 3);
}

const ipc::wait_op dec_op = {4,           dec_step, dec_expired,
                             dec_abandon, true,     dec_key};

// Waits in the calling thread so that an interrupt (Ctrl-C in the
// standalone interpreter) ends the wait, in slices.
int dec_blocking(lua_State* L, semaphore* s, const wait_spec& w) {
  lua_Hook saved = ipc::main_hook(L);
  for (;;) {
    bool last;
    wait_spec slice = next_slice(w, &last);
    int err = guarded_down(s->sem, &s->lost, slice);
    if (err != EAGAIN || last) return push_down_result(L, err);
    ipc::check_interrupt(L, saved);
  }
}

// A wait without deadline where the interrupt's signal is sure to reach
// this thread (platform::sem_wait_sees_signals): one wait in the kernel
// (the semaphore's own fast path first), checked after each EINTR. A
// timed wait would cost the kernel a timer per call.
int dec_in_kernel(lua_State* L, semaphore* s) {
  lua_Hook saved = ipc::main_hook(L);
  for (;;) {
    int err = guarded(s->sem, &s->lost, [&] {
      return ipc::platform::sem_wait_forever(s->sem) == 0 ? 0 : errno;
    });
    if (err != EINTR) return push_down_result(L, err);
    ipc::check_interrupt(L, saved);
  }
}

// A wait that must not block the thread: on a thread of its own, while the
// caller waits as every luaipc call does (core/suspend.hpp).
int dec_suspending(lua_State* L, semaphore* s, const wait_spec& w) {
  int err = 0;
  ipc::loop_state* ls = ipc::loop_of(L, &err);
  if (!ls) return ipc::push_failure(L, err);
  auto* d = ipc::make<dec_job>();
  if (!d) return luaL_error(L, "not enough memory");
  d->job.work = dec_work;
  d->job.undo = dec_undo;
  d->job.destroy = dec_destroy;
  d->sem = s->shared;
  d->sem->refs.fetch_add(1);
  d->wait = w;
  lua_settop(L, 2);
  if ((err = ipc::start_job(L, ls, &d->job)) != 0)
    return ipc::push_failure(L, err);
  return ipc::wait(L, &dec_op, -1);
}

// ---- The module ---------------------------------------------------------

unsigned check_value(lua_State* L, int idx) {
  lua_Integer n = luaL_optinteger(L, idx, 0);
  luaL_argcheck(L, n >= 0 && n <= ipc::platform::sem_value_max(), idx,
                "value out of range");
  return static_cast<unsigned>(n);
}

// Creates (value given and not 0, or `create`) or opens the semaphore of
// argument 1 into a new handle; pushes the handle or the failure triple.
int open_semaphore(lua_State* L, bool create) {
  luaL_checkstring(L, 1);
  unsigned value = check_value(L, 2);
  mode_t mode = ipc::opt_mode(L, 3);
  if (value != 0) create = true;
  auto* s = ipc::new_handle<semaphore>(L, class_name);
  const char* name = s->name.os_name;
  int err = ipc::check_name(L, 1, ipc::platform::name_kind::sem, &s->name);
  os_sem* p = nullptr;
  if (!err) err = ipc::platform::sem_open_name(name, create, mode, value, &p);
  shared_sem* sh = nullptr;
  if (!err && !(sh = ipc::make<shared_sem>(p, 1))) {
    ipc::platform::sem_close_handle(p);
    err = ENOMEM;
  }
  if (!err) {
    s->sem = p;
    s->shared = sh;
    if (create) ipc::mark_created(&s->name, ipc::platform::no_handle);
    s->base.release = release;
  }
  return err ? ipc::push_failure_named(L, lua_tostring(L, 1), err) : 1;
}

// sem.open(name [, n [, mode]]) -> handle | nil, msg, errno
int global_open(lua_State* L) {
  return open_semaphore(L, false);
}

// sem.create(name [, n [, mode]]) -> handle | nil, msg, errno
int global_create(lua_State* L) {
  return open_semaphore(L, true);
}

// sem.remove(name) -> true | nil, msg, errno
int global_remove(lua_State* L) {
  return ipc::remove_named(L, ipc::platform::name_kind::sem);
}

semaphore* check_sem(lua_State* L) {
  return ipc::check_as<semaphore>(L, 1);
}

// h:inc() -> true | nil, msg, errno
int meth_inc(lua_State* L) {
  semaphore* s = check_sem(L);
  int err = guarded(s->sem, &s->lost, [&] {
    return ipc::platform::sem_up(s->sem) == 0 ? 0 : errno;
  });
  return ipc::push_result(L, err);
}

// h:dec([timeout]) -> true | false | nil, msg, errno
int meth_dec(lua_State* L) {
  semaphore* s = check_sem(L);
  double timeout = ipc::check_seconds(L, 2, -1);
  wait_spec w = make_wait(timeout);
  if (w.kind == wait_kind::try_once)
    return push_down_result(L, guarded_down(s->sem, &s->lost, w));
  // A plain endless wait that may block: sem_wait tries without waiting
  // first itself.
  if (w.kind == wait_kind::forever && ipc::platform::sem_wait_sees_signals() &&
      ipc::wait_blocks_thread(L, &dec_op))
    return dec_in_kernel(L, s);
  // Without waiting first: the common case needs no wait at all, and a
  // semaphore whose memory is gone is found before anything blocks on it.
  int err = guarded_down(s->sem, &s->lost, wait_spec{wait_kind::try_once, {}});
  if (err != EAGAIN) return push_down_result(L, err);
  if (ipc::wait_blocks_thread(L, &dec_op)) return dec_blocking(L, s, w);
  return dec_suspending(L, s, w);
}

// h:value() -> n | nil, msg, errno
int meth_value(lua_State* L) {
  semaphore* s = check_sem(L);
  if (!ipc::platform::have_sem_value()) return ipc::push_failure(L, ENOSYS);
  int v = 0;
  int err = guarded(s->sem, &s->lost, [&] {
    return ipc::platform::sem_value_of(s->sem, &v) == 0 ? 0 : errno;
  });
  if (err) return ipc::push_failure(L, err);
  lua_pushinteger(L, v);
  return 1;
}

const luaL_Reg methods[] = {
    {"inc", meth_inc},
    {"dec", meth_dec},
    {"value", meth_value},
    {nullptr, nullptr},
};

const luaL_Reg functions[] = {
    {"open", global_open},
    {"create", global_create},
    {"remove", global_remove},
    {nullptr, nullptr},
};

}  // namespace

IPC_EXPORT int luaopen_ipc_sem(lua_State* L) {
  ipc::install_fault_handler();
  ipc::new_class(L, class_name, methods);
  luaL_newlib(L, functions);
  ipc::set_version(L);
  return 1;
}
