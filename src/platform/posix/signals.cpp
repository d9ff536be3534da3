// Signals by name on POSIX systems (see platform/signals.hpp).
#include "../signals.hpp"

#include <csignal>
#include <cstring>

namespace ipc::platform {

int signal_number(const char* name) {
  static const struct {
    const char* name;
    int number;
  } known[] = {{"term", SIGTERM}, {"kill", SIGKILL}, {"int", SIGINT},
               {"hup", SIGHUP},   {"quit", SIGQUIT}, {"usr1", SIGUSR1},
               {"usr2", SIGUSR2}, {"stop", SIGSTOP}, {"cont", SIGCONT}};
  for (const auto& k : known)
    if (std::strcmp(name, k.name) == 0) return k.number;
  return 0;
}

int signal_limit() {
  return NSIG;
}

}  // namespace ipc::platform
