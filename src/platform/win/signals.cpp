// Signals by name on Windows (see platform/signals.hpp): the POSIX numbers
// of the names, so that h:kill() can tell an unknown name (an error) from a
// signal Windows cannot send (ENOSYS from the engine). Only term (15) and
// kill (9) terminate a process.
#include "../signals.hpp"

#include <cstring>

namespace ipc::platform {

int signal_number(const char* name) {
  static const struct {
    const char* name;
    int number;
  } known[] = {{"term", 15}, {"kill", 9},  {"int", 2},
               {"hup", 1},   {"quit", 3},  {"usr1", 10},
               {"usr2", 12}, {"stop", 19}, {"cont", 18}};
  for (const auto& k : known)
    if (std::strcmp(name, k.name) == 0) return k.number;
  return 0;
}

int signal_limit() {
  return 32;
}

}  // namespace ipc::platform
