// Semaphore waits on Linux: glibc's sem_clockwait (2.30) waits against
// CLOCK_MONOTONIC (see platform/semaphore.hpp).
#include "../semaphore.hpp"

#include <climits>

namespace ipc::platform {

clockid_t sem_clock() {
  return CLOCK_MONOTONIC;
}

int sem_wait_until(sem_t* s, const timespec* deadline) {
  return sem_clockwait(s, CLOCK_MONOTONIC, deadline);
}

bool have_sem_value() {
  return true;
}

unsigned sem_value_max() {
  return SEM_VALUE_MAX;
}

}  // namespace ipc::platform
