// Win32 error codes as the C runtime's errno values, the codes luaipc
// reports, and the object names of the session's Local\ namespace. OS
// calls only.
#pragma once

#include <windows.h>

#include <cstddef>

namespace ipc::platform {

// The errno for a Win32 error code (EIO for one without a counterpart).
int errno_of(DWORD error);

// errno_of(GetLastError()).
int last_errno();

// "Local\<kind>.<name>" for the name "/name": 0, or ENAMETOOLONG when it
// does not fit in `size` bytes. Shared memory and semaphores share the
// namespace; the kind keeps a segment and a semaphore of one name apart.
int local_name(const char* kind, const char* os_name, char* out, size_t size);

// What removing a name reports where names go with their last handle:
// `open` tries to open the object "Local\<kind>.<name>"; 0 when nothing
// has it (the name is free), EBUSY when something does.
int name_free(const char* kind, const char* os_name,
              HANDLE (*open)(const char* name));

// The longest name local_name takes for `kind` with MAX_PATH bytes.
size_t local_name_max(const char* kind);

}  // namespace ipc::platform
