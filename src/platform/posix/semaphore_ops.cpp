// Named POSIX semaphores (sem_open), for every POSIX family: the os_sem is
// the sem_t sem_open maps (see platform/semaphore.hpp).
#include <fcntl.h>
#include <semaphore.h>

#include <cerrno>

#include "../semaphore.hpp"
#include "limits.hpp"

namespace ipc::platform {
namespace {

sem_t* sem_of(os_sem* s) {
  return reinterpret_cast<sem_t*>(s);
}

}  // namespace

int sem_open_name(const char* os_name, bool create, mode_t mode, unsigned value,
                  os_sem** out) {
  sem_t* p = create ? sem_open(os_name, O_CREAT | O_EXCL, mode, value)
                    : sem_open(os_name, 0);
  if (p == SEM_FAILED) return errno;
  *out = reinterpret_cast<os_sem*>(p);
  return 0;
}

int sem_close_handle(os_sem* s) {
  return sem_close(sem_of(s)) == 0 ? 0 : errno;
}

int sem_remove_name(const char* os_name) {
  return sem_unlink(os_name) == 0 ? 0 : errno;
}

size_t sem_memory_size() {
  return sizeof(sem_t);
}

int sem_up(os_sem* s) {
  // A build held to a smaller limit than the OS's (IPC_MACOS_LIMITS on
  // Linux) refuses a post past it, as that system's sem_post does.
  if constexpr (sem_value_limit < static_cast<unsigned>(SEM_VALUE_MAX)) {
    int v;
    if (sem_getvalue(sem_of(s), &v) == 0 &&
        v >= static_cast<int>(sem_value_limit)) {
      errno = EOVERFLOW;
      return -1;
    }
  }
  return sem_post(sem_of(s));
}

int sem_try(os_sem* s) {
  return sem_trywait(sem_of(s));
}

int sem_wait_forever(os_sem* s) {
  return sem_wait(sem_of(s));
}

int sem_value_of(os_sem* s, int* value) {
  return sem_getvalue(sem_of(s), value);
}

}  // namespace ipc::platform
