// Shared memory as named file mappings backed by the paging file, in the
// session's Local\ namespace (see platform/shmem.hpp). The size of an
// object opened by name is what VirtualQuery reports for a view of all of
// it: the size rounded up to whole pages. Permissions are the session's
// default: `mode` is not used.
#include "../shmem.hpp"

#include <windows.h>

#include <cerrno>

#include "errors.hpp"

namespace ipc::platform {

int shm_create_object(const char* os_name, size_t size, mode_t, os_handle* h) {
  char name[MAX_PATH];
  if (int err = local_name("shm", os_name, name, sizeof name)) return err;
  auto len = static_cast<unsigned long long>(size);
  HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, nullptr,
                                PAGE_READWRITE | SEC_COMMIT,
                                static_cast<DWORD>(len >> 32),
                                static_cast<DWORD>(len & 0xFFFFFFFFu), name);
  if (!m) {
    DWORD e = GetLastError();
    // A semaphore or another kind of object under the name.
    return e == ERROR_INVALID_HANDLE ? EEXIST : errno_of(e);
  }
  if (GetLastError() == ERROR_ALREADY_EXISTS) {
    CloseHandle(m);
    return EEXIST;
  }
  *h = reinterpret_cast<os_handle>(m);
  return 0;
}

int shm_open_object(const char* os_name, os_handle* h, size_t* size) {
  char name[MAX_PATH];
  if (int err = local_name("shm", os_name, name, sizeof name)) return err;
  HANDLE m = OpenFileMappingA(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, name);
  if (!m) return last_errno();
  void* view = MapViewOfFile(m, FILE_MAP_READ, 0, 0, 0);
  MEMORY_BASIC_INFORMATION info;
  int err = 0;
  if (!view)
    err = last_errno();
  else if (VirtualQuery(view, &info, sizeof info) == 0)
    err = last_errno();
  if (view) UnmapViewOfFile(view);
  if (err) {
    CloseHandle(m);
    return err;
  }
  *h = reinterpret_cast<os_handle>(m);
  *size = info.RegionSize;
  return 0;
}

// The name goes with the object's last handle: report whether it is free.
int shm_remove_name(const char* os_name) {
  return name_free("shm", os_name, [](const char* name) {
    return OpenFileMappingA(FILE_MAP_READ, FALSE, name);
  });
}

}  // namespace ipc::platform
