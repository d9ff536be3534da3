// Open-file-description locks (F_OFD_SETLK[W], Linux 3.15; see
// platform/lock.hpp).
#include "../lock.hpp"

#include <fcntl.h>

#ifndef F_OFD_SETLK
#error "open-file-description locks (F_OFD_SETLK, Linux 3.15) are required"
#endif

namespace ipc::platform {

int lock_range(os_handle fd, lock_type type, off_t start, off_t len,
               bool wait) {
  static const short types[] = {F_RDLCK, F_WRLCK, F_UNLCK};
  struct flock fl = {};
  fl.l_type = types[static_cast<int>(type)];
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = len;
  fl.l_pid = 0;  // required for open-file-description locks
  return fcntl(static_cast<int>(fd), wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
}

bool have_ofd_locks() {
  return true;
}

}  // namespace ipc::platform
