// HANDLEs as OS handles (see platform/handle.hpp). Handles are made not
// inheritable, so children started by other code never receive them.
#include "../handle.hpp"

#include <io.h>
#include <windows.h>

#include "errors.hpp"

namespace ipc::platform {

int close_handle(os_handle h) {
  return CloseHandle(reinterpret_cast<HANDLE>(h)) ? 0 : last_errno();
}

os_handle stream_handle(FILE* f) {
  return _get_osfhandle(_fileno(f));
}

int duplicate_handle(os_handle h, os_handle* out) {
  HANDLE self = GetCurrentProcess();
  HANDLE dup;
  if (!DuplicateHandle(self, reinterpret_cast<HANDLE>(h), self, &dup, 0,
                       FALSE, DUPLICATE_SAME_ACCESS))
    return last_errno();
  *out = reinterpret_cast<os_handle>(dup);
  return 0;
}

}  // namespace ipc::platform
