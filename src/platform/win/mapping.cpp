// Views with file mappings (see platform/mapping.hpp). The handle of a
// mapped file is the file mapping object made when the file is opened (it
// keeps the file open); shm objects are file mappings already. Offsets are
// multiples of the allocation granularity. Windows refuses to shorten a
// file while a view of it exists (ERROR_USER_MAPPED_FILE), so views never
// lose pages and nothing is ever remapped.
#include "../mapping.hpp"

#include <windows.h>

#include <cerrno>

#include "errors.hpp"

namespace ipc::platform {

size_t map_granularity() {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  return si.dwAllocationGranularity;
}

int open_for_mapping(const char* path, int mode, os_handle* h, off_t* size) {
  DWORD attrs = GetFileAttributesA(path);
  if (attrs == INVALID_FILE_ATTRIBUTES) return last_errno();
  if (attrs & FILE_ATTRIBUTE_DIRECTORY) return EISDIR;
  DWORD access = GENERIC_READ | (mode != 0 ? GENERIC_WRITE : 0);
  HANDLE file = CreateFileA(
      path, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
      nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) return last_errno();
  LARGE_INTEGER len;
  int err = 0;
  HANDLE section = nullptr;
  if (!GetFileSizeEx(file, &len))
    err = last_errno();
  else if (len.QuadPart == 0)
    err = EINVAL;  // an empty file cannot be mapped
  else if (!(section = CreateFileMappingA(
                 file, nullptr, mode != 0 ? PAGE_READWRITE : PAGE_READONLY, 0,
                 0, nullptr)))
    err = last_errno();
  CloseHandle(file);  // the mapping object keeps the file open
  if (err) return err;
  *h = reinterpret_cast<os_handle>(section);
  *size = static_cast<off_t>(len.QuadPart);
  return 0;
}

int map_view(os_handle h, size_t len, off_t offset, bool writable,
             void** addr) {
  auto off = static_cast<unsigned long long>(offset);
  void* p = MapViewOfFile(reinterpret_cast<HANDLE>(h),
                          writable ? FILE_MAP_WRITE : FILE_MAP_READ,
                          static_cast<DWORD>(off >> 32),
                          static_cast<DWORD>(off & 0xFFFFFFFFu), len);
  if (!p) return last_errno();
  *addr = p;
  return 0;
}

int unmap_view(void* addr, size_t) {
  return UnmapViewOfFile(addr) ? 0 : last_errno();
}

int sync_view(void* addr, size_t len) {
  return FlushViewOfFile(addr, len) ? 0 : last_errno();
}

bool remap_if_backed(os_handle, void*, size_t, off_t, bool) {
  return false;
}

}  // namespace ipc::platform
