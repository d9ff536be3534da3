// Named semaphores ("/name", see core/named.hpp): opening, posting,
// waiting (until a deadline), reading the value. A semaphore is an opaque
// os_sem: a sem_t mapped from its file on POSIX, a HANDLE on Windows.
// Deadlines are absolute times on `sem_clock()` (monotonic where the OS can
// wait against it). The waits and the post return 0, or -1 with errno, as
// the POSIX calls do; EINTR is the caller's business. OS calls only.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <cstddef>

namespace ipc::platform {

struct os_sem;

// Opens the semaphore `os_name`; `create`: creates it (EEXIST when it
// exists) with `value` and permissions `mode` where the OS has them.
// 0 and `*out`, or an errno.
int sem_open_name(const char* os_name, bool create, mode_t mode, unsigned value,
                  os_sem** out);

// Closes what sem_open_name opened; 0 or an errno.
int sem_close_handle(os_sem* s);

// Removes the name (semaphores open elsewhere keep working); 0 or an errno.
int sem_remove_name(const char* os_name);

// The memory of the semaphore that a fault may take away (the fault guard
// arms it around every access); 0 where none is mapped.
size_t sem_memory_size();

int sem_up(os_sem* s);
// Decrements if it can without waiting (-1 and EAGAIN when it cannot).
int sem_try(os_sem* s);
int sem_wait_forever(os_sem* s);

// Whether a signal sent to the process (Ctrl-C) is sure to reach the
// calling thread, so that a wait without deadline fails with EINTR once a
// handler installed without SA_RESTART ran (lua.c installs its SIGINT
// handler so): then such a wait can be one wait in the kernel, checked
// after each EINTR, instead of timed slices. False where unsure. (A
// handler with SA_RESTART has the kernel resume the wait: what it asked
// for is seen when the wait ends.)
bool sem_wait_sees_signals();

// The clock deadlines of sem_wait_until are measured on.
clockid_t sem_clock();

// Waits against `deadline` on sem_clock(): 0, or -1 with errno (ETIMEDOUT
// when the deadline passed).
int sem_wait_until(os_sem* s, const timespec* deadline);

// The value; -1 and ENOSYS where the OS cannot tell it.
int sem_value_of(os_sem* s, int* value);

// Whether sem_value_of works.
bool have_sem_value();

// The largest initial value a semaphore may be given.
unsigned sem_value_max();

}  // namespace ipc::platform
