// ipc.sem: named POSIX semaphores.
// The creator's close (or __gc) removes the name, as long as it still
// refers to the semaphore created (see ipc::object_id); handles that are
// already open keep working. Waits with a timeout use an absolute deadline on the
// monotonic clock, so a signal (EINTR, retried) cannot stretch or cut them.
// Inside a luv program, a coroutine's dec first tries without waiting; a
// wait that is needed runs on libuv's thread pool (core/pool) and the
// handle stays open until that wait has ended.
#include <fcntl.h>
#include <semaphore.h>
#include <sys/stat.h>
#include <time.h>

#include <cmath>
#include <new>

#include "../core/handle.hpp"
#include "../core/luv.hpp"
#include "../core/names.hpp"
#include "../core/pool.hpp"
#include "../core/status.hpp"

// sem_clockwait (glibc 2.30) waits against CLOCK_MONOTONIC; without it the
// deadline has to be on CLOCK_REALTIME for sem_timedwait.
#if defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
#define IPC_HAVE_SEM_CLOCKWAIT 1
#else
#define IPC_HAVE_SEM_CLOCKWAIT 0
#endif

namespace {

constexpr const char* class_name = "ipc.sem";

// glibc names the file of semaphore "x" "sem.x" in /dev/shm.
constexpr size_t max_name_len = NAME_MAX - 4;

// Timeouts beyond this many seconds (about 31 years) mean "forever".
constexpr double forever_seconds = 1e9;

struct semaphore {
  ipc::handle base;
  sem_t* sem;
  int busy;             // waits in flight on the thread pool
  bool creator;         // close removes the name
  ipc::object_id id;    // of the semaphore created
  bool close_deferred;  // closed while busy: sem_close when busy drops to 0
  char name[ipc::os_name_size];
};

int release(ipc::handle* h) {
  auto* s = reinterpret_cast<semaphore*>(h);
  int err = 0;
  if (s->creator) err = ipc::unlink_sem_if_same(s->name, s->id);
  // A pool thread may still wait on the mapping: unmap it after that wait.
  if (s->busy > 0)
    s->close_deferred = true;
  else if (sem_close(s->sem) != 0 && !err)
    err = errno;
  return err;
}

// How h:dec() waits.
enum class wait_kind { try_once, forever, until };

struct wait_spec {
  wait_kind kind;
  timespec deadline;  // for `until`, on wait_clock
};

#if IPC_HAVE_SEM_CLOCKWAIT
constexpr clockid_t wait_clock = CLOCK_MONOTONIC;
#else
constexpr clockid_t wait_clock = CLOCK_REALTIME;
#endif

wait_spec make_wait(double timeout) {
  wait_spec w{};
  if (timeout == 0) {
    w.kind = wait_kind::try_once;
  } else if (timeout < 0 || timeout >= forever_seconds) {
    w.kind = wait_kind::forever;
  } else {
    w.kind = wait_kind::until;
    clock_gettime(wait_clock, &w.deadline);
    double whole = std::floor(timeout);
    w.deadline.tv_sec += static_cast<time_t>(whole);
    w.deadline.tv_nsec += static_cast<long>((timeout - whole) * 1e9);
    if (w.deadline.tv_nsec >= 1000000000L) {
      w.deadline.tv_sec += 1;
      w.deadline.tv_nsec -= 1000000000L;
    }
  }
  return w;
}

// Decrements `s` as `w` says; returns 0, EAGAIN when it could not decrement
// in time, or another errno. EINTR is retried against the same deadline.
int sem_down(sem_t* s, const wait_spec& w) {
  int r;
  switch (w.kind) {
    case wait_kind::try_once:
      r = ipc::retry_eintr([&] { return sem_trywait(s); });
      break;
    case wait_kind::forever:
      r = ipc::retry_eintr([&] { return sem_wait(s); });
      break;
    case wait_kind::until:
#if IPC_HAVE_SEM_CLOCKWAIT
      r = ipc::retry_eintr(
          [&] { return sem_clockwait(s, wait_clock, &w.deadline); });
#else
      r = ipc::retry_eintr([&] { return sem_timedwait(s, &w.deadline); });
#endif
      break;
    default:
      r = -1;
      errno = EINVAL;
  }
  if (r == 0) return 0;
  return errno == ETIMEDOUT ? EAGAIN : errno;
}

// Pushes the result of h:dec(): true | false | nil, msg, errno.
int push_down_result(lua_State* L, int err) {
  if (err && err != EAGAIN) return ipc::push_failure(L, err);
  lua_pushboolean(L, err == 0);
  return 1;
}

// A wait of h:dec() on libuv's thread pool.
struct dec_job {
  ipc::pool_job job;
  semaphore* handle;  // kept alive by the job's anchor
  sem_t* sem;
  wait_spec wait;
  int err;
};

// How long a pool thread waits before it checks whether the Lua state is
// closing (see ipc::pool_cancelled).
constexpr long slice_ns = 250000000L;

bool before(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

// Waits in slices of at most slice_ns against the same final deadline; a
// post that arrives between two slices is not lost, it is simply taken by
// the next sem_clockwait.
void dec_work(ipc::pool_job* j) {
  auto* d = reinterpret_cast<dec_job*>(j);
  for (;;) {
    wait_spec slice{wait_kind::until, {}};
    clock_gettime(wait_clock, &slice.deadline);
    slice.deadline.tv_nsec += slice_ns;
    if (slice.deadline.tv_nsec >= 1000000000L) {
      slice.deadline.tv_sec += 1;
      slice.deadline.tv_nsec -= 1000000000L;
    }
    bool last = d->wait.kind == wait_kind::until &&
                !before(slice.deadline, d->wait.deadline);
    d->err = sem_down(d->sem, last ? d->wait : slice);
    if (d->err != EAGAIN || last) return;
    if (ipc::pool_cancelled(j)) {
      d->err = ECANCELED;
      return;
    }
  }
}

int dec_finish(lua_State* L, ipc::pool_job* j) {
  // Cancelled: the timeout passed while the job was still queued.
  if (j->cancelled) return push_down_result(L, EAGAIN);
  return push_down_result(L, reinterpret_cast<dec_job*>(j)->err);
}

void dec_cleanup(ipc::pool_job* j) {
  auto* d = reinterpret_cast<dec_job*>(j);
  semaphore* s = d->handle;
  if (j->orphaned) {
    delete d;  // the handle may be freed; the process is done with Lua
    return;
  }
  if (--s->busy == 0 && s->close_deferred) {
    s->close_deferred = false;
    sem_close(s->sem);
  }
  delete d;
}

unsigned check_value(lua_State* L, int idx) {
  lua_Integer n = luaL_optinteger(L, idx, 0);
  luaL_argcheck(L, n >= 0 && n <= SEM_VALUE_MAX, idx, "value out of range");
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
  int err = ipc::check_os_name(L, 1, max_name_len, s->name);
  if (!err) {
    sem_t* p = create ? sem_open(s->name, O_CREAT | O_EXCL, mode, value)
                      : sem_open(s->name, 0);
    if (p == SEM_FAILED) {
      err = errno;
    } else {
      s->sem = p;
      s->creator = create;
      if (create) s->id = ipc::sem_identity(s->name);
      s->base.release = release;
    }
  }
  return err ? ipc::push_failure(L, err) : 1;
}

// sem.open(name [, n [, mode]]) -> handle | nil, msg, errno
int global_open(lua_State* L) { return open_semaphore(L, false); }

// sem.create(name [, n [, mode]]) -> handle | nil, msg, errno
int global_create(lua_State* L) { return open_semaphore(L, true); }

// sem.remove(name) -> true | nil, msg, errno
int global_remove(lua_State* L) {
  char name[ipc::os_name_size];
  int err = ipc::check_os_name(L, 1, max_name_len, name);
  if (!err && sem_unlink(name) != 0) err = errno;
  return ipc::push_result(L, err);
}

semaphore* check_sem(lua_State* L) {
  return ipc::check_open_as<semaphore>(L, 1);
}

// h:inc() -> true | nil, msg, errno
int meth_inc(lua_State* L) {
  semaphore* s = check_sem(L);
  if (sem_post(s->sem) != 0) return ipc::push_failure(L, errno);
  lua_pushboolean(L, 1);
  return 1;
}

// h:dec([timeout]) -> true | false | nil, msg, errno
int meth_dec(lua_State* L) {
  semaphore* s = check_sem(L);
  lua_Number timeout = luaL_optnumber(L, 2, -1);
  luaL_argcheck(L, !std::isnan(timeout), 2, "invalid timeout");
  wait_spec w = make_wait(timeout);
  if (w.kind != wait_kind::try_once && ipc::luv_can_suspend(L)) {
    // Without waiting first: the common case needs no pool thread at all,
    // and a free semaphore is taken even while every pool thread is busy.
    int err = sem_down(s->sem, wait_spec{wait_kind::try_once, {}});
    if (err != EAGAIN) return push_down_result(L, err);
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
  return push_down_result(L, sem_down(s->sem, w));
}

// h:value() -> n | nil, msg, errno
int meth_value(lua_State* L) {
  semaphore* s = check_sem(L);
  int v = 0;
  if (sem_getvalue(s->sem, &v) != 0) return ipc::push_failure(L, errno);
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
  ipc::new_class(L, class_name, methods);
  luaL_newlib(L, functions);
  return 1;
}
