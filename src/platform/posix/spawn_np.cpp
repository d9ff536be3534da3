// posix_spawn with the C library's extensions for closing descriptors and
// changing directory (see platform/spawn.hpp). The build compiles this file
// only where the library declares both; elsewhere spawn_none.cpp.
#include <fcntl.h>
#include <spawn.h>

#include <csignal>

#include "../spawn.hpp"

namespace ipc::platform {

bool have_spawn_np() {
  return true;
}

int spawn_np(const char* path, char* const argv[], char* const envp[],
             const int fd[3], const bool null[3], const char* cwd,
             bool new_session, pid_t* pid) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  if (int e = posix_spawn_file_actions_init(&fa)) return e;
  if (int e = posix_spawnattr_init(&at)) {
    posix_spawn_file_actions_destroy(&fa);
    return e;
  }
  int err = 0;
  for (int s = 0; s < 3 && !err; s++) {
    if (fd[s] >= 0)
      err = posix_spawn_file_actions_adddup2(&fa, fd[s], s);
    else if (null[s])
      err = posix_spawn_file_actions_addopen(&fa, s, "/dev/null", O_RDWR, 0);
  }
  if (!err) err = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  if (!err && cwd) err = posix_spawn_file_actions_addchdir_np(&fa, cwd);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (new_session) flags |= POSIX_SPAWN_SETSID;
  if (!err) err = posix_spawnattr_setsigmask(&at, &none);
  if (!err) err = posix_spawnattr_setsigdefault(&at, &all);
  if (!err) err = posix_spawnattr_setflags(&at, flags);
  if (!err) err = posix_spawn(pid, path, &fa, &at, argv, envp);
  posix_spawnattr_destroy(&at);
  posix_spawn_file_actions_destroy(&fa);
  return err;
}

}  // namespace ipc::platform
