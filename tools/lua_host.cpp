// lua_host: a small Lua host for tests that need what the lua5.4
// interpreter cannot give them.
//
//   lua_host script.lua [args]      runs the script once, with a global
//                                   `host` table: host.fork() -> pid (0 in
//                                   the child), host.wait(pid) -> exit
//                                   status (128 + signal when killed),
//                                   host.block_sigchld() blocks SIGCHLD in
//                                   the calling thread, host.catch_sigchld()
//                                   installs a counting SIGCHLD handler,
//                                   host.sigchld_count() -> calls so far,
//                                   host.fail_allocations(n [, k]) makes
//                                   the nth allocation from now fail, and
//                                   the k - 1 after it (default 1; n = 0:
//                                   stop failing).
//   lua_host --threads N script     runs the script in N threads at once,
//                                   each in a Lua state of its own, with
//                                   the thread's number as its argument.
//   lua_host --oom script.lua       runs the script in a fresh state whose
//                                   allocator fails from its Nth allocation
//                                   on, for N = 1, 2, ... until a run
//                                   completes without a failure. Every run
//                                   must end with a Lua error or success,
//                                   and lua_close must give back every
//                                   byte (the allocator counts them).
//                                   LUA_HOST_OOM_ONLY=N: only run N.
// Exit status 0 when all went well; messages go to stderr.
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

namespace {

struct budget {
  long long allocations = 0;  // made so far in this run
  long long fail_from = 0;    // 0: never fail
  long long failed = 0;       // allocations refused
  long long bytes = 0;        // held right now
  long long fail_left = -1;   // failures still to inject (-1: no limit)
};

void* budget_alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* b = static_cast<budget*>(ud);
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    b->bytes -= static_cast<long long>(old);
    std::free(ptr);
    return nullptr;
  }
  if (nsize > old) {
    if (b->fail_from && ++b->allocations >= b->fail_from) {
      b->failed++;
      if (b->fail_left > 0 && --b->fail_left == 0) b->fail_from = 0;
      return nullptr;
    }
  }
  void* p = std::realloc(ptr, nsize);
  if (p)
    b->bytes += static_cast<long long>(nsize) - static_cast<long long>(old);
  return p;
}

std::atomic<int> sigchld_calls{0};

void on_sigchld(int) {
  sigchld_calls++;
}

int host_block_sigchld(lua_State* L) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  lua_pushboolean(L, pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0);
  return 1;
}

int host_catch_sigchld(lua_State* L) {
  struct sigaction sa = {};
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  lua_pushboolean(L, sigaction(SIGCHLD, &sa, nullptr) == 0);
  return 1;
}

int host_sigchld_count(lua_State* L) {
  lua_pushinteger(L, sigchld_calls.load());
  return 1;
}

int host_fail_allocations(lua_State* L) {
  lua_Integer n = luaL_checkinteger(L, 1);
  lua_Integer k = luaL_optinteger(L, 2, 1);
  void* ud;
  lua_getallocf(L, &ud);
  auto* b = static_cast<budget*>(ud);
  b->allocations = 0;
  b->fail_left = k > 0 ? k : 1;
  b->fail_from = n > 0 ? n : 0;
  return 0;
}

int host_fork(lua_State* L) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return luaL_error(L, "fork: %s", std::strerror(errno));
  lua_pushinteger(L, pid);
  return 1;
}

int host_wait(lua_State* L) {
  auto pid = static_cast<pid_t>(luaL_checkinteger(L, 1));
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return luaL_error(L, "waitpid: %s", std::strerror(errno));
  lua_pushinteger(
      L, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return 1;
}

struct job {
  const char* script;
  int argc;
  char** argv;
};

// Everything a run does, protected: opening the libraries allocates too.
int protected_run(lua_State* L) {
  auto* j = static_cast<job*>(lua_touserdata(L, 1));
  luaL_openlibs(L);
  static const luaL_Reg host[] = {{"fork", host_fork},
                                  {"wait", host_wait},
                                  {"block_sigchld", host_block_sigchld},
                                  {"catch_sigchld", host_catch_sigchld},
                                  {"sigchld_count", host_sigchld_count},
                                  {"fail_allocations", host_fail_allocations},
                                  {nullptr, nullptr}};
  luaL_newlib(L, host);
  lua_setglobal(L, "host");
  if (luaL_loadfile(L, j->script) != LUA_OK) return lua_error(L);
  luaL_checkstack(L, j->argc, "too many arguments");
  for (int i = 0; i < j->argc; i++) lua_pushstring(L, j->argv[i]);
  lua_call(L, j->argc, 0);
  return 0;
}

// Runs `script` with `args` in L; returns the error message or null.
const char* run(lua_State* L, const char* script, int argc, char** argv) {
  job j{script, argc, argv};
  lua_pushcfunction(L, protected_run);
  lua_pushlightuserdata(L, &j);
  if (lua_pcall(L, 1, 0, 0) == LUA_OK) return nullptr;
  const char* msg = lua_tostring(L, -1);
  return msg ? msg : "(error object is not a string)";
}

int run_once(const char* script, int argc, char** argv) {
  budget b;
  lua_State* L = lua_newstate(budget_alloc, &b);
  if (!L) return 3;
  const char* err = run(L, script, argc, argv);
  if (err) std::fprintf(stderr, "lua_host: %s\n", err);
  lua_close(L);
  return err ? 1 : 0;
}

int run_oom(const char* script, int argc, char** argv) {
  // LUA_HOST_OOM_ONLY=N runs the one run N (to look at a failing run).
  const char* only = std::getenv("LUA_HOST_OOM_ONLY");
  for (long long n = only ? std::atoll(only) : 1;; n++) {
    budget b;
    b.fail_from = n;
    lua_State* L = lua_newstate(budget_alloc, &b);
    if (!L) continue;  // the state itself could not be made
    const char* err = run(L, script, argc, argv);
    bool injected = b.failed > 0;
    if (err && !injected) {
      std::fprintf(stderr, "lua_host: run %lld failed by itself: %s\n", n, err);
      lua_close(L);
      return 1;
    }
    if (only) std::printf("run %lld: %s\n", n, err ? err : "completed");
    b.fail_from = 0;  // lua_close frees only, but may run finalizers
    lua_close(L);
    if (b.bytes != 0) {
      std::fprintf(stderr, "lua_host: run %lld left %lld bytes\n", n, b.bytes);
      return 2;
    }
    if (!injected || only) {
      std::printf("%lld runs\n", n);
      return 0;
    }
  }
}

struct thread_run {
  const char* script;
  char number[16];
  int status;
};

void* thread_main(void* arg) {
  auto* t = static_cast<thread_run*>(arg);
  char* args[] = {t->number};
  t->status = run_once(t->script, 1, args);
  return nullptr;
}

int run_threads(int n, const char* script) {
  if (n < 1 || n > 64) return 64;
  thread_run runs[64];
  pthread_t ids[64];
  for (int i = 0; i < n; i++) {
    runs[i].script = script;
    std::snprintf(runs[i].number, sizeof runs[i].number, "%d", i + 1);
    runs[i].status = 1;
    if (pthread_create(&ids[i], nullptr, thread_main, &runs[i]) != 0) return 3;
  }
  int status = 0;
  for (int i = 0; i < n; i++) {
    pthread_join(ids[i], nullptr);
    if (runs[i].status) status = runs[i].status;
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--threads") == 0)
    return run_threads(std::atoi(argv[2]), argv[3]);
  bool oom = argc > 1 && std::strcmp(argv[1], "--oom") == 0;
  int first = oom ? 2 : 1;
  if (argc <= first) {
    std::fprintf(stderr,
                 "usage: lua_host [--oom] script.lua [args]\n"
                 "       lua_host --threads N script.lua\n");
    return 64;
  }
  char** rest = argv + first + 1;
  int nrest = argc - first - 1;
  return oom ? run_oom(argv[first], nrest, rest)
             : run_once(argv[first], nrest, rest);
}
