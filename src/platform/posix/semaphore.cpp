// Semaphore waits on any POSIX system: a timed wait is sem_trywait polled
// with growing sleeps (1 ms doubling up to 50 ms) until the deadline on
// CLOCK_MONOTONIC, for systems without sem_timedwait (macOS) or without a
// monotonic one. See platform/semaphore.hpp.
#include "../semaphore.hpp"

#include <semaphore.h>

#include <cerrno>

#include "limits.hpp"

namespace ipc::platform {
namespace {

long long nanos(const timespec& t) {
  return static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec;
}

}  // namespace

bool sem_wait_sees_signals() {
  return false;  // which thread takes a process's signal is the OS's choice
}

clockid_t sem_clock() {
  return CLOCK_MONOTONIC;
}

int sem_wait_until(os_sem* h, const timespec* deadline) {
  sem_t* s = reinterpret_cast<sem_t*>(h);
  long long sleep_ns = 1000000LL;
  for (;;) {
    if (sem_trywait(s) == 0) return 0;
    if (errno != EAGAIN) return -1;  // EINTR included: the caller retries
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long left = nanos(*deadline) - nanos(now);
    if (left <= 0) {
      errno = ETIMEDOUT;
      return -1;
    }
    long long ns = sleep_ns < left ? sleep_ns : left;
    timespec nap{static_cast<time_t>(ns / 1000000000LL),
                 static_cast<long>(ns % 1000000000LL)};
    nanosleep(&nap, nullptr);  // woken early by a signal: poll again
    if (sleep_ns < 50000000LL) sleep_ns *= 2;
  }
}

bool have_sem_value() {
  return sem_getvalue_works;
}

unsigned sem_value_max() {
  return sem_value_limit;
}

}  // namespace ipc::platform
