// lua_host: a small Lua host for tests that need what the lua5.4
// interpreter cannot give them.
//
//   lua_host script.lua [args]      runs the script once, with a global
//                                   `host` table: host.fork() -> pid (0 in
//                                   the child), host.wait(pid) -> exit
//                                   status (128 + signal when killed).
//   lua_host --oom script.lua       runs the script in a fresh state whose
//                                   allocator fails from its Nth allocation
//                                   on, for N = 1, 2, ... until a run
//                                   completes without a failure. Every run
//                                   must end with a Lua error or success,
//                                   and lua_close must give back every
//                                   byte (the allocator counts them).
//                                   LUA_HOST_OOM_ONLY=N: only run N.
// Exit status 0 when all went well; messages go to stderr.
#include <sys/wait.h>
#include <unistd.h>

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
      return nullptr;
    }
  }
  void* p = std::realloc(ptr, nsize);
  if (p)
    b->bytes += static_cast<long long>(nsize) - static_cast<long long>(old);
  return p;
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
  static const luaL_Reg host[] = {
      {"fork", host_fork}, {"wait", host_wait}, {nullptr, nullptr}};
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

}  // namespace

int main(int argc, char** argv) {
  bool oom = argc > 1 && std::strcmp(argv[1], "--oom") == 0;
  int first = oom ? 2 : 1;
  if (argc <= first) {
    std::fprintf(stderr, "usage: lua_host [--oom] script.lua [args]\n");
    return 64;
  }
  char** rest = argv + first + 1;
  int nrest = argc - first - 1;
  return oom ? run_oom(argv[first], nrest, rest)
             : run_once(argv[first], nrest, rest);
}
