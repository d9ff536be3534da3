// HANDLEs as OS handles (see platform/handle.hpp). Handles are made not
// inheritable, so children started by other code never receive them.
#include "../handle.hpp"

#include <io.h>
#include <stdio.h>
#include <windows.h>

#include <cerrno>

#include "errors.hpp"

namespace ipc::platform {

int close_handle(os_handle h) {
  return CloseHandle(reinterpret_cast<HANDLE>(h)) ? 0 : last_errno();
}

os_handle stream_handle(FILE* f) {
  return _get_osfhandle(_fileno(f));
}

// Only a stream that was last written has anything to write out (msvcrt's
// FILE says which): its fflush is the flush. A stream that was last read
// is left alone, since fflush would drop its read-ahead without moving the
// file position back.
int flush_stream(FILE* f) {
  if (!(f->_flag & _IOWRT)) return 0;
  return fflush(f) == 0 ? 0 : errno;
}

// fseek drops the read-ahead at the right position.
void drop_read_buffer(FILE* f) {
  fseek(f, 0, SEEK_CUR);
}

void clear_stream_state(FILE* f) {
  clearerr(f);
}

int duplicate_handle(os_handle h, os_handle* out) {
  HANDLE self = GetCurrentProcess();
  HANDLE dup;
  if (!DuplicateHandle(self, reinterpret_cast<HANDLE>(h), self, &dup, 0, FALSE,
                       DUPLICATE_SAME_ACCESS))
    return last_errno();
  *out = reinterpret_cast<os_handle>(dup);
  return 0;
}

}  // namespace ipc::platform
