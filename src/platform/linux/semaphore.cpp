// Semaphore waits on Linux: glibc's sem_clockwait (2.30) waits against
// CLOCK_MONOTONIC (see platform/semaphore.hpp).
#include "../semaphore.hpp"

#include <semaphore.h>
#include <unistd.h>

#include <climits>

namespace ipc::platform {

clockid_t sem_clock() {
  return CLOCK_MONOTONIC;
}

int sem_wait_until(os_sem* h, const timespec* deadline) {
  sem_t* s = reinterpret_cast<sem_t*>(h);
  return sem_clockwait(s, CLOCK_MONOTONIC, deadline);
}

bool sem_wait_sees_signals() {
  // Linux hands a signal sent to the process to its main thread whenever
  // that thread does not block it (complete_signal in kernel/signal.c):
  // the thread whose id is the process's. Known once per thread; a thread
  // that becomes the main one in a forked child keeps its "no", the safe
  // answer. Initial-exec: a load, not a call to __tls_get_addr.
  static
      __attribute__((tls_model("initial-exec"))) thread_local signed char main =
          -1;
  if (main < 0) main = gettid() == getpid();
  return main != 0;
}

bool have_sem_value() {
  return true;
}

unsigned sem_value_max() {
  return SEM_VALUE_MAX;
}

}  // namespace ipc::platform
