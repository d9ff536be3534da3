// Named semaphores as Win32 semaphore objects of the session's Local\ names
// (see platform/semaphore.hpp). The os_sem is the HANDLE. Win32
// has no documented way to read a semaphore's count without changing it:
// value() reports ENOSYS. Permissions are the session's default.
#include "../semaphore.hpp"

#include <windows.h>

#include <cerrno>
#include <climits>
#include <cmath>

#include "errors.hpp"

namespace ipc::platform {
namespace {

HANDLE handle_of(os_sem* s) {
  return reinterpret_cast<HANDLE>(s);
}

int fail(int err) {
  errno = err;
  return -1;
}

// One wait of `ms` milliseconds: 0, or -1 with EAGAIN (timed out) or
// another errno.
int wait_ms(os_sem* s, DWORD ms) {
  switch (WaitForSingleObject(handle_of(s), ms)) {
    case WAIT_OBJECT_0:
      return 0;
    case WAIT_TIMEOUT:
      return fail(EAGAIN);
    default:
      return fail(last_errno());
  }
}

}  // namespace

int sem_open_name(const char* os_name, bool create, mode_t, unsigned value,
                  os_sem** out) {
  char name[MAX_PATH];
  if (int err = local_name("sem", os_name, name, sizeof name)) return err;
  HANDLE h;
  if (create) {
    h = CreateSemaphoreA(nullptr, static_cast<LONG>(value), LONG_MAX, name);
    if (h && GetLastError() == ERROR_ALREADY_EXISTS) {
      CloseHandle(h);
      return EEXIST;
    }
  } else {
    h = OpenSemaphoreA(SYNCHRONIZE | SEMAPHORE_MODIFY_STATE, FALSE, name);
  }
  if (!h) {
    DWORD e = GetLastError();
    // Shared memory or another kind of object under the name.
    return e == ERROR_INVALID_HANDLE && create ? EEXIST : errno_of(e);
  }
  *out = reinterpret_cast<os_sem*>(h);
  return 0;
}

int sem_close_handle(os_sem* s) {
  return CloseHandle(handle_of(s)) ? 0 : last_errno();
}

// The name goes with the object's last handle: report whether it is free.
int sem_remove_name(const char* os_name) {
  return name_free("sem", os_name, [](const char* name) {
    return OpenSemaphoreA(SYNCHRONIZE, FALSE, name);
  });
}

size_t sem_memory_size() {
  return 0;
}

int sem_up(os_sem* s) {
  return ReleaseSemaphore(handle_of(s), 1, nullptr) ? 0 : fail(last_errno());
}

int sem_try(os_sem* s) {
  return wait_ms(s, 0);
}

int sem_wait_forever(os_sem* s) {
  return wait_ms(s, INFINITE);
}

clockid_t sem_clock() {
  return CLOCK_MONOTONIC;
}

bool sem_wait_sees_signals() {
  return false;  // a console's Ctrl-C runs on a thread of its own
}

int sem_wait_until(os_sem* s, const timespec* deadline) {
  for (;;) {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double left = static_cast<double>(deadline->tv_sec - now.tv_sec) +
                  (deadline->tv_nsec - now.tv_nsec) / 1e9;
    if (left <= 0) return wait_ms(s, 0) == 0 ? 0 : fail(ETIMEDOUT);
    double ms = std::ceil(left * 1000.0);
    if (wait_ms(s, static_cast<DWORD>(ms < 1e9 ? ms : 1e9)) == 0) return 0;
    if (errno != EAGAIN) return -1;
  }
}

int sem_value_of(os_sem*, int*) {
  return fail(ENOSYS);
}

bool have_sem_value() {
  return false;
}

unsigned sem_value_max() {
  return LONG_MAX;
}

}  // namespace ipc::platform
