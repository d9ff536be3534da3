// Semaphore waits on Linux: glibc's sem_clockwait (2.30) waits against
// CLOCK_MONOTONIC (see platform/semaphore.hpp).
#include "../semaphore.hpp"

#include <semaphore.h>

#include <climits>

namespace ipc::platform {

clockid_t sem_clock() {
  return CLOCK_MONOTONIC;
}

int sem_wait_until(os_sem* h, const timespec* deadline) {
  sem_t* s = reinterpret_cast<sem_t*>(h);
  return sem_clockwait(s, CLOCK_MONOTONIC, deadline);
}

bool have_sem_value() {
  return true;
}

unsigned sem_value_max() {
  return SEM_VALUE_MAX;
}

}  // namespace ipc::platform
