// Waiting on a POSIX semaphore until a deadline, and reading its value.
// Deadlines are absolute times on `sem_clock()` (monotonic where the OS can
// wait against it). OS calls only; EINTR is the caller's business.
#pragma once

#include <semaphore.h>
#include <time.h>

namespace ipc::platform {

// The clock deadlines of sem_wait_until are measured on.
clockid_t sem_clock();

// sem_timedwait against `deadline` on sem_clock(): 0, or -1 with errno
// (ETIMEDOUT when the deadline passed).
int sem_wait_until(sem_t* s, const timespec* deadline);

// Whether sem_getvalue works (it reports ENOSYS where it does not).
bool have_sem_value();

// The largest initial value a semaphore may be given.
unsigned sem_value_max();

}  // namespace ipc::platform
