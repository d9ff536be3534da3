// How a command reaches a POSIX system (see command.hpp).
#include "../command.hpp"

#include "spawn.hpp"

#include <cerrno>

extern char** environ;

namespace ipc::proc {

char** parent_environment() {
  return environ;
}

bool env_names_fold_case() {
  return false;
}

void shell_command(lua_State* L, const char* cmd, spawn_request* req) {
  auto** a = static_cast<char**>(lua_newuserdatauv(L, 4 * sizeof(char*), 0));
  a[0] = const_cast<char*>("/bin/sh");
  a[1] = const_cast<char*>("-c");
  a[2] = const_cast<char*>(cmd);
  a[3] = nullptr;
  req->args = a;
  req->file = a[0];
}

bool cwd_at_fault(const spawn_request& req, int err) {
  return req.cwd && (err == ENOENT || err == ENOTDIR || err == EACCES) &&
         cwd_error(req.cwd) == err;
}

const char* refusal(const spawn_request&, int) {
  return nullptr;
}

}  // namespace ipc::proc
