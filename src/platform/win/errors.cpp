// Win32 errors as errno values, and Local\ names (see errors.hpp).
#include "errors.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ipc::platform {

int errno_of(DWORD error) {
  switch (error) {
    case ERROR_SUCCESS:
      return 0;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_PATHNAME:
      return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_WRITE_PROTECT:
      return EACCES;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
      return EEXIST;
    case ERROR_INVALID_HANDLE:
      return EBADF;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
      return ENOMEM;
    case ERROR_LOCK_VIOLATION:
      return EAGAIN;
    case ERROR_NOT_LOCKED:
      return ENOLCK;
    case ERROR_TOO_MANY_POSTS:
      return EOVERFLOW;
    case ERROR_INVALID_PARAMETER:
    case ERROR_FILE_INVALID:
    case ERROR_MAPPED_ALIGNMENT:
      return EINVAL;
    case ERROR_FILENAME_EXCED_RANGE:
      return ENAMETOOLONG;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      return ENOSPC;
    case ERROR_TOO_MANY_OPEN_FILES:
      return EMFILE;
    case ERROR_DIRECTORY:
      return ENOTDIR;
    case ERROR_OPERATION_ABORTED:
      return EINTR;
    default:
      return EIO;
  }
}

int last_errno() {
  return errno_of(GetLastError());
}

int local_name(const char* kind, const char* os_name, char* out, size_t size) {
  int n = std::snprintf(out, size, "Local\\%s.%s", kind, os_name + 1);
  return n < 0 || static_cast<size_t>(n) >= size ? ENAMETOOLONG : 0;
}

int name_free(const char* kind, const char* os_name,
              HANDLE (*open)(const char* name)) {
  char name[MAX_PATH];
  if (int err = local_name(kind, os_name, name, sizeof name)) return err;
  HANDLE h = open(name);
  if (!h) return 0;
  CloseHandle(h);
  return EBUSY;
}

size_t local_name_max(const char* kind) {
  return MAX_PATH - 1 - std::strlen("Local\\.") - std::strlen(kind);
}

}  // namespace ipc::platform
