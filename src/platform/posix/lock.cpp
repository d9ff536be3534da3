// Classic POSIX record locks (F_SETLK[W]): they belong to the process, so
// two opens of a file in one process share them, and closing any
// descriptor of the file drops them. See platform/lock.hpp.
#include "../lock.hpp"

#include <fcntl.h>

namespace ipc::platform {

int lock_range(os_handle fd, lock_type type, off_t start, off_t len,
               bool wait) {
  static const short types[] = {F_RDLCK, F_WRLCK, F_UNLCK};
  struct flock fl = {};
  fl.l_type = types[static_cast<int>(type)];
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = len;
  return fcntl(static_cast<int>(fd), wait ? F_SETLKW : F_SETLK, &fl);
}

bool have_ofd_locks() {
  return false;
}

}  // namespace ipc::platform
