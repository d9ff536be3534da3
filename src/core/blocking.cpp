// Blocking calls on threads of luaipc's own (see blocking.hpp).
#include "blocking.hpp"

#include <pthread.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "alloc.hpp"
#include "runtime.hpp"

namespace ipc {

// The way from job threads to a loop, alive while anyone holds it: the
// loop's state closes the door (async = null) when it goes away.
// It also holds the keys of the jobs finished since the driver last took
// them: at most max_ready, past which only `overflow` is set, so that a
// program nobody takes them from (no luv) keeps a few KiB at most.
struct wake_channel {
  uv_mutex_t lock;
  uv_async_t* async;
  int refs;
  const void** ready = nullptr;
  size_t nready = 0, cap = 0;
  bool overflow = false;
};

namespace {

// Holds the channel's lock for its scope.
struct locked {
  explicit locked(wake_channel* ch) : m(&ch->lock) { uv_mutex_lock(m); }
  ~locked() { uv_mutex_unlock(m); }
  locked(const locked&) = delete;
  locked& operator=(const locked&) = delete;
  uv_mutex_t* m;
};

enum job_state { running = 0, done = 1, gone = 2 };

constexpr const char* box_name = "ipc.blocking_job";
constexpr size_t thread_stack = 64 * 1024;
constexpr size_t max_ready = 1024;

void drop_channel(wake_channel* ch) {
  bool last;
  {
    locked g(ch);
    last = --ch->refs == 0;
  }
  if (last) {
    free(ch->ready);
    uv_mutex_destroy(&ch->lock);
    destroy(ch);
  }
}

// With the channel's lock held.
void note_ready(wake_channel* ch, const void* key) {
  if (ch->nready == ch->cap) {
    size_t ncap = ch->cap ? ch->cap * 2 : 16;
    void* p =
        ncap <= max_ready ? realloc(ch->ready, ncap * sizeof key) : nullptr;
    if (!p) {
      ch->overflow = true;
      ch->nready = 0;
      return;
    }
    ch->ready = static_cast<const void**>(p);
    ch->cap = ncap;
  }
  ch->ready[ch->nready++] = key;
}

void* job_thread(void* arg) {
  auto* job = static_cast<blocking_job*>(arg);
  job->work(job);
  wake_channel* ch = job->channel;
  const void* key = job;  // the waiting side may free the job once done
  int expected = running;
  if (job->state.compare_exchange_strong(expected, done)) {
    locked g(ch);
    if (ch->async) {
      note_ready(ch, key);
      uv_async_send(ch->async);
    }
  } else {  // the caller has gone: nobody will take the result
    if (job->undo) job->undo(job);
    job->destroy(job);
  }
  drop_channel(ch);
  return nullptr;
}

struct box {
  blocking_job* job;
  loop_state* ls;
};

// The waiting side goes away while the job may still run.
void abandon(box* b) {
  blocking_job* job = b->job;
  b->job = nullptr;
  if (!job) return;
  if (b->ls) b->ls->busy--;
  int expected = running;
  if (!job->state.compare_exchange_strong(expected, gone)) {
    // Finished meanwhile: its result is ours to undo.
    if (job->undo) job->undo(job);
    job->destroy(job);
  }
}

int box_gc(lua_State* L) {
  abandon(static_cast<box*>(lua_touserdata(L, 1)));
  return 0;
}

// The channel of a loop, made on first use; its sentinel closes it when
// the state closes.
const char channel_key = 0;

int channel_gc(lua_State* L) {
  auto** p = static_cast<wake_channel**>(lua_touserdata(L, 1));
  if (*p) {
    {
      locked g(*p);
      (*p)->async = nullptr;
    }
    drop_channel(*p);
    *p = nullptr;
  }
  return 0;
}

wake_channel* channel_of(lua_State* L, loop_state* ls) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &channel_key) == LUA_TUSERDATA) {
    auto* ch = *static_cast<wake_channel**>(lua_touserdata(L, -1));
    lua_pop(L, 1);
    if (ch && ch->async == &ls->wake) return ch;
  } else {
    lua_pop(L, 1);
  }
  auto** p =
      static_cast<wake_channel**>(lua_newuserdatauv(L, sizeof(void*), 0));
  *p = nullptr;
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, channel_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  auto* ch = make<wake_channel>();
  if (ch && uv_mutex_init(&ch->lock) != 0) {
    destroy(ch);
    ch = nullptr;
  }
  if (!ch) luaL_error(L, "not enough memory");
  ch->async = &ls->wake;
  ch->refs = 1;
  *p = ch;
  lua_rawsetp(L, LUA_REGISTRYINDEX, &channel_key);  // drops a forked parent's
  return ch;
}

}  // namespace

bool blocking_job::abandoned() const {
  return state.load(std::memory_order_relaxed) == gone;
}

int start_job(lua_State* L, loop_state* ls, blocking_job* job) {
  wake_channel* ch = channel_of(L, ls);
  auto* b = static_cast<box*>(lua_newuserdatauv(L, sizeof(box), 0));
  b->job = nullptr;
  b->ls = nullptr;
  if (luaL_newmetatable(L, box_name)) {
    lua_pushcfunction(L, box_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  pin_module();  // a thread may outlive the state: its code must stay
  {
    locked g(ch);
    ch->refs++;
  }
  job->channel = ch;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, thread_stack);
  pthread_t t;
  int err = pthread_create(&t, &attr, job_thread, job);
  pthread_attr_destroy(&attr);
  if (err) {
    lua_pop(L, 1);
    drop_channel(ch);
    job->destroy(job);
    return err;
  }
  b->job = job;
  b->ls = ls;
  ls->busy++;
  return 0;
}

blocking_job* finished_job(lua_State* L, int idx) {
  auto* b = static_cast<box*>(luaL_checkudata(L, idx, box_name));
  blocking_job* job = b->job;
  if (!job) luaL_error(L, "the wait was abandoned");
  if (job->state.load(std::memory_order_acquire) != done) return nullptr;
  b->job = nullptr;
  if (b->ls) b->ls->busy--;
  return job;
}

void finish_job(lua_State*, blocking_job* job) {
  job->destroy(job);
}

void abandon_job(lua_State* L, int idx) {
  abandon(static_cast<box*>(luaL_checkudata(L, idx, box_name)));
}

const void* job_key(lua_State* L, int idx) {
  return static_cast<box*>(luaL_checkudata(L, idx, box_name))->job;
}

int take_ready_keys(lua_State* L, int idx, bool* overflow) {
  idx = lua_absindex(L, idx);
  *overflow = false;
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &channel_key) != LUA_TUSERDATA) {
    lua_pop(L, 1);
    return 0;
  }
  auto* ch = *static_cast<wake_channel**>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (!ch) return 0;
  // Copied out under the lock, pushed after it, and only then taken off
  // the list: lua_rawseti may raise a memory error, which must neither
  // unwind through a held lock nor lose a key. Later keys are appended
  // behind these; an overflow meanwhile makes every key moot.
  int total = 0;
  for (;;) {
    const void* keys[64];
    size_t n;
    {
      locked g(ch);
      n = ch->nready < 64 ? ch->nready : 64;
      for (size_t i = 0; i < n; i++) keys[i] = ch->ready[i];
    }
    for (size_t i = 0; i < n; i++) {
      lua_pushlightuserdata(L, const_cast<void*>(keys[i]));
      lua_rawseti(L, idx, ++total);
    }
    locked g(ch);
    if (ch->overflow) {
      ch->overflow = false;
      ch->nready = 0;
      *overflow = true;
      return total;
    }
    if (n == 0) return total;
    ch->nready -= n;
    std::memmove(ch->ready, ch->ready + n, ch->nready * sizeof *ch->ready);
  }
}

}  // namespace ipc
