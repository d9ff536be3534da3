// ipc.filelock: byte-range locks on Lua file objects.
// Where the platform has open-file-description locks (Linux; see
// platform/lock.hpp) they belong to the io.open handle, not to the
// process, so two handles of one file exclude each other and closing
// // another handle of the file keeps the lock. After a lock is taken, the
// FILE's read buffer is dropped so that reads see what other processes
// wrote while we waited. A lock that has to wait does so on a thread of
// its own (core/blocking.hpp): a plain wait can then be interrupted, and a
// coroutine under luv or a scheduler suspends instead of blocking.
#include <cerrno>
#include <cstdio>

#include "../core/alloc.hpp"
#include "../core/blocking.hpp"
#include "../core/status.hpp"
#include "../core/suspend.hpp"
#include "../core/version.hpp"
#include "../platform/lock.hpp"

namespace {

struct lock_args {
  luaL_Stream* stream;
  ipc::platform::lock_type type;
  off_t offset;
  off_t length;  // 0: to the end of file and beyond
};

// The checks below run twice per lock/unlock cycle, whose two fcntl calls
// take about 450 ns: each takes the common case first (the file's
// metatable compared with the one kept as upvalue 1 instead of looked up by
// name, the mode's bytes instead of strcmp, absent ranges without a call)
// and falls back to the auxiliary library's checks for their messages.

// Argument 1 must be an open Lua file.
luaL_Stream* check_stream(lua_State* L) {
  void* p = nullptr;
  if (lua_getmetatable(L, 1)) {
    if (lua_rawequal(L, -1, lua_upvalueindex(1))) p = lua_touserdata(L, 1);
    lua_pop(L, 1);
  }
  if (!p) p = luaL_checkudata(L, 1, LUA_FILEHANDLE);
  auto* stream = static_cast<luaL_Stream*>(p);
  if (stream->closef == nullptr)
    luaL_argerror(L, 1, "attempt to use a closed file");
  return stream;
}

off_t check_range_arg(lua_State* L, int idx, int top, const char* what) {
  if (top < idx) return 0;
  lua_Integer v = luaL_optinteger(L, idx, 0);
  luaL_argcheck(L, v >= 0, idx, what);
  return static_cast<off_t>(v);
}

ipc::platform::lock_type check_mode(lua_State* L, int idx) {
  using ipc::platform::lock_type;
  static const char* const modes[] = {"r", "w", "rw", nullptr};
  size_t n = 0;
  const char* m = lua_tolstring(L, idx, &n);  // a number fails below too
  if (m && n == 1 && (m[0] == 'w' || m[0] == 'r'))
    return m[0] == 'r' ? lock_type::shared : lock_type::exclusive;
  if (m && n == 2 && m[0] == 'r' && m[1] == 'w') return lock_type::exclusive;
  return luaL_checkoption(L, idx, nullptr, modes) == 0 ? lock_type::shared
                                                       : lock_type::exclusive;
}

// Checks (file, mode [, offset [, nbytes]]), or (file [, offset [, nbytes]])
// when `with_mode` is false (unlock).
lock_args check_args(lua_State* L, bool with_mode) {
  lock_args a;
  a.stream = check_stream(L);
  int idx = 2;
  a.type = with_mode ? check_mode(L, idx++) : ipc::platform::lock_type::unlock;
  int top = lua_gettop(L);
  a.offset = check_range_arg(L, idx, top, "negative offset");
  a.length = check_range_arg(L, idx + 1, top, "negative size");
  return a;
}

// One lock request on `fd`; returns 0 or an errno (EAGAIN when a
// non-waiting request meets another holder).
int set_lock(ipc::platform::os_handle fd, const lock_args& a, bool wait) {
  if (ipc::retry_eintr([&] {
        return ipc::platform::lock_range(fd, a.type, a.offset, a.length, wait);
      }) == 0)
    return 0;
  return errno == EACCES ? EAGAIN : errno;
}

// Writes out what the program wrote but stdio still buffers.
int flush_writes(FILE* f) {
  return ipc::platform::flush_stream(f);
}

// Drops the read buffer after a lock was taken (platform/handle.hpp), so
// that the next read asks the OS again; a sticky end-of-file would hide
// appended data.
void discard_buffer(FILE* f) {
  ipc::platform::drop_read_buffer(f);
  ipc::platform::clear_stream_state(f);
}

// Pushes what lock/trylock return for `err`.
int push_lock_result(lua_State* L, int err, bool trying) {
  if (err == EAGAIN && trying) {
    lua_pushboolean(L, 0);
    return 1;
  }
  return ipc::push_result(L, err);
}

// A waiting lock on a thread of its own. With open-file-description locks
// it uses its own descriptor, a duplicate that shares the open file
// description (and so the lock), so that the program closing the file
// meanwhile cannot make the thread lock whatever file reuses the number. A
// duplicate would drop a classic (per-process) lock when it is closed:
// those wait on the file's own descriptor.
struct lock_job {
  ipc::blocking_job job;
  lock_args args;
  ipc::platform::os_handle fd;
  bool own_fd;  // fd is the job's duplicate (closed when the job ends)
  int err;
};

void lock_work(ipc::blocking_job* j) {
  auto* k = reinterpret_cast<lock_job*>(j);
  k->err = set_lock(k->fd, k->args, true);
}

// A lock taken for a caller that has gone is released.
void lock_undo(ipc::blocking_job* j) {
  auto* k = reinterpret_cast<lock_job*>(j);
  if (k->err != 0) return;
  lock_args a = k->args;
  a.type = ipc::platform::lock_type::unlock;
  set_lock(k->fd, a, false);
}

// Closing the duplicate keeps the lock with the open file description,
// unless the program closed the file during the wait: then this was its
// last descriptor, and the lock goes with it.
void lock_destroy(ipc::blocking_job* j) {
  auto* k = reinterpret_cast<lock_job*>(j);
  if (k->own_fd) ipc::platform::close_handle(k->fd);
  ipc::destroy(k);
}

// The step of a lock waiting for its thread: stack 1 file, 2 the job's
// box, 3.. wait's own slots.
int lock_step(lua_State* L, ipc::loop_state*) {
  ipc::blocking_job* j = ipc::finished_job(L, 2);
  if (!j) return ipc::step_wait;
  int err = reinterpret_cast<lock_job*>(j)->err;
  ipc::finish_job(L, j);  // closes the duplicate before the caller goes on
  auto* stream = static_cast<luaL_Stream*>(lua_touserdata(L, 1));
  if (err == 0 && stream->closef != nullptr) discard_buffer(stream->f);
  return push_lock_result(L, err, false);
}

int lock_expired(lua_State* L) {
  return ipc::push_failure(L, ETIMEDOUT);
}

void lock_abandon(lua_State* L) {
  ipc::abandon_job(L, 2);
}

const void* lock_key(lua_State* L) {
  return ipc::job_key(L, 2);
}

const ipc::wait_op lock_op = {3,    lock_step, lock_expired, lock_abandon,
                              true, lock_key};

// Waits for the range on a thread; the caller waits for that thread as
// every luaipc call waits (core/suspend.hpp).
int lock_waiting(lua_State* L, const lock_args& a) {
  int lerr = 0;
  ipc::loop_state* ls = ipc::loop_of(L, &lerr);
  if (!ls) return ipc::push_failure(L, lerr);
  bool own_fd = ipc::platform::have_ofd_locks();
  ipc::platform::os_handle fd = ipc::platform::stream_handle(a.stream->f);
  if (own_fd) {
    if (int err = ipc::platform::duplicate_handle(fd, &fd))
      return ipc::push_failure(L, err);
  }
  auto* k = ipc::make<lock_job>();
  if (!k) {
    if (own_fd) ipc::platform::close_handle(fd);
    return luaL_error(L, "not enough memory");
  }
  k->job.work = lock_work;
  k->job.undo = lock_undo;
  k->job.destroy = lock_destroy;
  k->args = a;
  k->fd = fd;
  k->own_fd = own_fd;
  lua_settop(L, 1);
  if (int err = ipc::start_job(L, ls, &k->job))
    return ipc::push_failure(L, err);
  return ipc::wait(L, &lock_op, -1);
}

int lock(lua_State* L, bool trying) {
  lock_args a = check_args(L, true);
  FILE* f = a.stream->f;
  int err = flush_writes(f);
  if (err) return ipc::push_failure(L, err);
  // Without waiting first: a free range needs no thread at all.
  err = set_lock(ipc::platform::stream_handle(f), a, false);
  if (err == EAGAIN && !trying) return lock_waiting(L, a);
  if (!err) discard_buffer(f);
  return push_lock_result(L, err, trying);
}

// filelock.lock(file, mode [, offset [, nbytes]]) -> true | nil, msg, errno
int global_lock(lua_State* L) {
  return lock(L, false);
}

// filelock.trylock(file, mode [, offset [, nbytes]])
//   -> true | false | nil, msg, errno
int global_trylock(lua_State* L) {
  return lock(L, true);
}

// filelock.unlock(file [, offset [, nbytes]]) -> true | nil, msg, errno
// Buffered writes are flushed first so that the next holder sees them; the
// range is unlocked even when that flush fails (the failure is returned).
int global_unlock(lua_State* L) {
  lock_args a = check_args(L, false);
  FILE* f = a.stream->f;
  int err = flush_writes(f);
  int unlock_err = set_lock(ipc::platform::stream_handle(f), a, false);
  if (!err) err = unlock_err;
  return ipc::push_result(L, err);
}

const luaL_Reg functions[] = {
    {"lock", global_lock},
    {"trylock", global_trylock},
    {"unlock", global_unlock},
    {nullptr, nullptr},
};

}  // namespace

IPC_EXPORT int luaopen_ipc_filelock(lua_State* L) {
  luaL_newlibtable(L, functions);
  luaL_getmetatable(L, LUA_FILEHANDLE);  // nil before the io library: unused
  luaL_setfuncs(L, functions, 1);
  ipc::set_version(L);
  return 1;
}
