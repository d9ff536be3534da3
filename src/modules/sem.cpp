// ipc.sem: named POSIX semaphores.
// The creator's close (or __gc) removes the name, as long as it still
// refers to the semaphore created (see ipc::object_id); handles that are
// already open keep working. Waits with a timeout use an absolute deadline on the
// monotonic clock, so a signal (EINTR, retried) cannot stretch or cut them.
// A dec that has to wait in a coroutine that may not block its thread
// (under luv or a scheduler, see core/suspend.hpp) first tries without
// waiting; a wait that is needed runs on a thread of its own
// (core/blocking.hpp), which holds its own reference to the mapping.
#include <fcntl.h>
#include <semaphore.h>
#include <sys/stat.h>
#include <time.h>

#include <atomic>
#include <cmath>
#include <new>

#include "../core/blocking.hpp"
#include "../core/handle.hpp"
#include "../core/names.hpp"
#include "../core/status.hpp"
#include "../core/suspend.hpp"

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

// The mapping of a semaphore, shared by its handle and the threads that
// wait on it: the last of them unmaps it.
struct shared_sem {
  sem_t* sem;
  std::atomic<int> refs;
};

int unref_sem(shared_sem* sh) {
  if (sh->refs.fetch_sub(1) != 1) return 0;
  int err = sem_close(sh->sem) == 0 ? 0 : errno;
  delete sh;
  return err;
}

struct semaphore {
  ipc::handle base;
  sem_t* sem;
  shared_sem* shared;
  bool creator;         // close removes the name
  ipc::object_id id;    // of the semaphore created
  char name[ipc::os_name_size];
};

int release(ipc::handle* h) {
  auto* s = reinterpret_cast<semaphore*>(h);
  int err = 0;
  if (s->creator) err = ipc::unlink_sem_if_same(s->name, s->id);
  int close_err = unref_sem(s->shared);
  return err ? err : close_err;
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

// A wait of h:dec() on a thread of its own.
struct dec_job {
  ipc::blocking_job job;
  shared_sem* sem;  // a reference of its own
  wait_spec wait;
  int err;
};

// How long one wait lasts before the next check: whether the caller has
// gone (a thread), or whether the program was interrupted (Ctrl-C).
constexpr long slice_ns = 100000000L;

bool before(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

// The next slice of the wait `w`; `last` when it ends at w's deadline. A
// post that arrives between two slices is not lost: the next wait takes it.
wait_spec next_slice(const wait_spec& w, bool* last) {
  wait_spec slice{wait_kind::until, {}};
  clock_gettime(wait_clock, &slice.deadline);
  slice.deadline.tv_nsec += slice_ns;
  if (slice.deadline.tv_nsec >= 1000000000L) {
    slice.deadline.tv_sec += 1;
    slice.deadline.tv_nsec -= 1000000000L;
  }
  *last = w.kind == wait_kind::until && !before(slice.deadline, w.deadline);
  return *last ? w : slice;
}

void dec_work(ipc::blocking_job* j) {
  auto* d = reinterpret_cast<dec_job*>(j);
  for (;;) {
    bool last;
    wait_spec slice = next_slice(d->wait, &last);
    d->err = sem_down(d->sem->sem, slice);
    if (d->err != EAGAIN || last) return;
    if (j->abandoned()) return;
  }
}

// A post taken for a caller that has gone is given back.
void dec_undo(ipc::blocking_job* j) {
  auto* d = reinterpret_cast<dec_job*>(j);
  if (d->err == 0) sem_post(d->sem->sem);
}

void dec_destroy(ipc::blocking_job* j) {
  auto* d = reinterpret_cast<dec_job*>(j);
  unref_sem(d->sem);
  delete d;
}

// The step of a dec waiting for its thread: stack 1 handle, 2 timeout,
// 3 the job's box, 4.. wait's own slots.
int dec_step(lua_State* L, ipc::loop_state*) {
  ipc::blocking_job* j = ipc::finished_job(L, 3);
  if (!j) return ipc::step_wait;
  int err = reinterpret_cast<dec_job*>(j)->err;
  ipc::finish_job(L, j);
  return push_down_result(L, err);
}

int dec_expired(lua_State* L) {  // no deadline is given: the thread has it
  lua_pushboolean(L, 0);
  return 1;
}

void dec_abandon(lua_State* L) { ipc::abandon_job(L, 3); }

const ipc::wait_op dec_op = {4, dec_step, dec_expired, dec_abandon};

// Waits in the calling thread, in slices, so that an interrupt (Ctrl-C in
// the standalone interpreter) ends the wait.
int dec_blocking(lua_State* L, semaphore* s, const wait_spec& w) {
  lua_Hook saved = ipc::main_hook(L);
  for (;;) {
    bool last;
    wait_spec slice = next_slice(w, &last);
    int err = sem_down(s->sem, slice);
    if (err != EAGAIN || last) return push_down_result(L, err);
    ipc::check_interrupt(L, saved);
  }
}

// A wait that must not block the thread: on a thread of its own.
int dec_suspending(lua_State* L, semaphore* s, const wait_spec& w) {
  int err = sem_down(s->sem, wait_spec{wait_kind::try_once, {}});
  if (err != EAGAIN) return push_down_result(L, err);
  int lerr = 0;
  ipc::loop_state* ls = ipc::loop_of(L, &lerr);
  if (!ls) return ipc::push_failure(L, lerr);
  auto* d = new (std::nothrow) dec_job();
  if (!d) return luaL_error(L, "not enough memory");
  d->job.work = dec_work;
  d->job.undo = dec_undo;
  d->job.destroy = dec_destroy;
  d->sem = s->shared;
  d->sem->refs.fetch_add(1);
  d->wait = w;
  lua_settop(L, 2);
  if ((err = ipc::start_job(L, ls, &d->job)) != 0) return ipc::push_failure(L, err);
  return ipc::wait(L, &dec_op, -1);
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
    auto* sh = p == SEM_FAILED ? nullptr : new (std::nothrow) shared_sem{p, {1}};
    if (p == SEM_FAILED) {
      err = errno;
    } else if (!sh) {
      sem_close(p);
      err = ENOMEM;
    } else {
      s->sem = p;
      s->shared = sh;
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
  luaL_argcheck(L, !std::isnan(timeout), 2, "invalid timeout (NaN)");
  wait_spec w = make_wait(timeout);
  if (w.kind == wait_kind::try_once)
    return push_down_result(L, sem_down(s->sem, w));
  if (ipc::wait_blocks_thread(L)) return dec_blocking(L, s, w);
  return dec_suspending(L, s, w);
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
