// ipc.sem: named POSIX semaphores.
// The creator's close (or __gc) removes the name, as long as it still
// refers to the semaphore created and the handle was made by this process
// (see core/named.hpp); handles that are already open keep working. Waits
// with a timeout use an absolute deadline on the platform's wait clock
// (monotonic where it can), so a signal (EINTR, retried) cannot stretch or
// cut them. Every access to the semaphore's memory is guarded like a mapped
// file (core/fault.hpp): if its file is empty or cut short by someone else,
// calls return nil, message, EFAULT instead of dying of SIGBUS.
// Inside a luv program, a coroutine's dec first tries without waiting; a
// wait that is needed runs on libuv's thread pool (core/pool) and the
// handle stays open until that wait has ended.
#include <fcntl.h>
#include <semaphore.h>
#include <time.h>

#include <cmath>
#include <new>

#include "../core/fault.hpp"
#include "../core/handle.hpp"
#include "../core/luv.hpp"
#include "../core/named.hpp"
#include "../core/pool.hpp"
#include "../core/status.hpp"
#include "../platform/semaphore.hpp"

namespace {

constexpr const char* class_name = "ipc.sem";

// Timeouts beyond this many seconds (about 31 years) mean "forever".
constexpr double forever_seconds = 1e9;

struct semaphore {
  ipc::handle base;
  sem_t* sem;
  int busy;             // waits in flight on the thread pool
  bool close_deferred;  // closed while busy: sem_close when busy drops to 0
  bool lost;            // the semaphore's memory faulted: it is gone
  ipc::named name;
};

int release(ipc::handle* h) {
  auto* s = reinterpret_cast<semaphore*>(h);
  int err = ipc::unlink_if_created(h, &s->name);
  // A pool thread may still wait on the mapping: unmap it after that wait.
  if (s->busy > 0)
    s->close_deferred = true;
  else if (sem_close(s->sem) != 0 && !err)
    err = errno;
  return err;
}

// Runs `op` (returning 0 or an errno) on the memory of `s` with the SIGBUS
// guard armed for the calling thread; EFAULT, and `*lost` set, when the
// memory faulted. Usable on any thread.
template <class F>
int guarded(sem_t* s, bool* lost, F op) {
  if (*lost) return EFAULT;
  ipc::fault_state outer =
      ipc::fault_arm(reinterpret_cast<char*>(s), sizeof(sem_t));
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
int sem_down(sem_t* s, const wait_spec& w) {
  int r;
  if (w.kind == wait_kind::try_once)
    r = ipc::retry_eintr([&] { return sem_trywait(s); });
  else if (w.kind == wait_kind::forever)
    r = ipc::retry_eintr([&] { return sem_wait(s); });
  else
    r = ipc::retry_eintr(
        [&] { return ipc::platform::sem_wait_until(s, &w.deadline); });
  if (r == 0) return 0;
  return errno == ETIMEDOUT ? EAGAIN : errno;
}

// sem_down, guarded (see `guarded`).
int guarded_down(sem_t* s, bool* lost, const wait_spec& w) {
  return guarded(s, lost, [&] { return sem_down(s, w); });
}

// Pushes the result of h:dec(): true | false | nil, msg, errno.
int push_down_result(lua_State* L, int err) {
  if (err && err != EAGAIN) return ipc::push_failure(L, err);
  lua_pushboolean(L, err == 0);
  return 1;
}

// ---- Waits on libuv's thread pool (inside a luv program) ----------------

struct dec_job {
  ipc::pool_job job;
  semaphore* handle;  // kept alive by the job's anchor
  sem_t* sem;
  wait_spec wait;
  bool lost;
  int err;
};

// How long a pool thread waits before it checks whether the Lua state is
// closing (see ipc::pool_cancelled).
constexpr double slice_seconds = 0.25;

bool before(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

// Waits in slices against the same final deadline; a post that arrives
// between two slices is not lost, it is simply taken by the next wait.
void dec_work(ipc::pool_job* j) {
  auto* d = reinterpret_cast<dec_job*>(j);
  for (;;) {
    wait_spec slice{wait_kind::until, deadline_after(slice_seconds)};
    bool last = d->wait.kind == wait_kind::until &&
                !before(slice.deadline, d->wait.deadline);
    d->err = guarded_down(d->sem, &d->lost, last ? d->wait : slice);
    if (d->err != EAGAIN || last) return;
    if (ipc::pool_cancelled(j)) {
      d->err = ECANCELED;
      return;
    }
  }
}

int dec_finish(lua_State* L, ipc::pool_job* j) {
  auto* d = reinterpret_cast<dec_job*>(j);
  if (d->lost) d->handle->lost = true;
  // Cancelled: the timeout passed while the job was still queued.
  if (j->cancelled) return push_down_result(L, EAGAIN);
  return push_down_result(L, d->err);
}

void dec_cleanup(ipc::pool_job* j) {
  auto* d = reinterpret_cast<dec_job*>(j);
  semaphore* s = d->handle;
  if (!j->orphaned && --s->busy == 0 && s->close_deferred) {
    s->close_deferred = false;
    sem_close(s->sem);
  }
  // Orphaned: the handle may be freed; the process is done with Lua.
  delete d;
}

// The wait of h:dec() on the pool: the only part of this module that knows
// about luv. Yields the calling coroutine.
int dec_in_pool(lua_State* L, semaphore* s, const wait_spec& w,
                double timeout) {
  auto* d = new (std::nothrow) dec_job();
  if (!d) return luaL_error(L, "not enough memory");
  d->job.work = dec_work;
  d->job.finish = dec_finish;
  d->job.cleanup = dec_cleanup;
  d->handle = s;
  d->sem = s->sem;
  d->wait = w;
  s->busy++;
  return ipc::await_pool(L, &d->job, 1,
                         w.kind == wait_kind::until ? timeout : -1);
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
  if (!err) {
    sem_t* p = create ? sem_open(name, O_CREAT | O_EXCL, mode, value)
                      : sem_open(name, 0);
    if (p == SEM_FAILED) {
      err = errno;
    } else {
      s->sem = p;
      if (create) ipc::mark_created(&s->name, -1);
      s->base.release = release;
    }
  }
  return err ? ipc::push_failure_named(L, lua_tostring(L, 1), err) : 1;
}

// sem.open(name [, n [, mode]]) -> handle | nil, msg, errno
int global_open(lua_State* L) { return open_semaphore(L, false); }

// sem.create(name [, n [, mode]]) -> handle | nil, msg, errno
int global_create(lua_State* L) { return open_semaphore(L, true); }

// sem.remove(name) -> true | nil, msg, errno
int global_remove(lua_State* L) {
  return ipc::remove_named(L, ipc::platform::name_kind::sem);
}

semaphore* check_sem(lua_State* L) { return ipc::check_as<semaphore>(L, 1); }

// h:inc() -> true | nil, msg, errno
int meth_inc(lua_State* L) {
  semaphore* s = check_sem(L);
  int err = guarded(s->sem, &s->lost,
                    [&] { return sem_post(s->sem) == 0 ? 0 : errno; });
  return ipc::push_result(L, err);
}

// h:dec([timeout]) -> true | false | nil, msg, errno
int meth_dec(lua_State* L) {
  semaphore* s = check_sem(L);
  double timeout = ipc::check_seconds(L, 2, -1);
  wait_spec w = make_wait(timeout);
  if (w.kind == wait_kind::try_once)
    return push_down_result(L, guarded_down(s->sem, &s->lost, w));
  // Without waiting first: the common case needs no wait at all, and a
  // semaphore whose memory is gone is found before anything blocks on it.
  int err = guarded_down(s->sem, &s->lost, wait_spec{wait_kind::try_once, {}});
  if (err != EAGAIN) return push_down_result(L, err);
  if (ipc::luv_can_suspend(L)) return dec_in_pool(L, s, w, timeout);
  return push_down_result(L, guarded_down(s->sem, &s->lost, w));
}

// h:value() -> n | nil, msg, errno
int meth_value(lua_State* L) {
  semaphore* s = check_sem(L);
  if (!ipc::platform::have_sem_value()) return ipc::push_failure(L, ENOSYS);
  int v = 0;
  int err = guarded(s->sem, &s->lost,
                    [&] { return sem_getvalue(s->sem, &v) == 0 ? 0 : errno; });
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
  return 1;
}
