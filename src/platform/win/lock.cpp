// Byte-range locks with LockFileEx (see platform/lock.hpp). They belong to
// the open file, like open-file-description locks; unlike POSIX locks they
// never merge, split or convert, and an unlock must name a locked range
// exactly. "To the end of file and beyond" is the range up to the largest
// offset.
#include "../lock.hpp"

#include <windows.h>

#include <cerrno>

#include "errors.hpp"

namespace ipc::platform {

int lock_range(os_handle fd, lock_type type, off_t start, off_t len,
               bool wait) {
  auto from = static_cast<unsigned long long>(start);
  unsigned long long n =
      len ? static_cast<unsigned long long>(len) : 0x7FFFFFFFFFFFFFFFULL - from;
  OVERLAPPED ov = {};
  ov.Offset = static_cast<DWORD>(from & 0xFFFFFFFFu);
  ov.OffsetHigh = static_cast<DWORD>(from >> 32);
  auto lo = static_cast<DWORD>(n & 0xFFFFFFFFu);
  auto hi = static_cast<DWORD>(n >> 32);
  auto h = reinterpret_cast<HANDLE>(fd);
  BOOL ok;
  if (type == lock_type::unlock) {
    ok = UnlockFileEx(h, 0, lo, hi, &ov);
  } else {
    DWORD flags = (type == lock_type::exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0) |
                  (wait ? 0 : LOCKFILE_FAIL_IMMEDIATELY);
    ok = LockFileEx(h, flags, 0, lo, hi, &ov);
  }
  if (ok) return 0;
  errno = last_errno();
  return -1;
}

bool have_ofd_locks() {
  return true;
}

}  // namespace ipc::platform
