// Byte-range locks on a file handle. Where the OS has open-file-
// description locks they are used (the lock belongs to the open file, so
// two opens in one process exclude each other and closing another
// descriptor of the file keeps it; Windows' LockFileEx locks belong to the
// open file too); elsewhere classic POSIX record locks (the lock belongs to
// the process). OS calls only.
#pragma once

#include <sys/types.h>

#include "handle.hpp"

namespace ipc::platform {

enum class lock_type { shared, exclusive, unlock };

// One lock request on [start, start + len), len 0 meaning to the end of
// file and beyond; waits when `wait`. Returns 0, or -1 with errno (EAGAIN
// or EACCES when a request that does not wait meets another holder).
// EINTR is the caller's business.
int lock_range(os_handle fd, lock_type type, off_t start, off_t len, bool wait);

// True when lock_range takes open-file-description locks.
bool have_ofd_locks();

}  // namespace ipc::platform
