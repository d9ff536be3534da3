// The limits of the system the portable POSIX paths are built for. The
// build defines IPC_MACOS_LIMITS to hold them to macOS's: names of at most
// 31 bytes, no sem_getvalue, semaphore values of at most 32767.
#pragma once

#include <semaphore.h>

#include <climits>
#include <cstddef>

namespace ipc::platform {

#if defined(IPC_MACOS_LIMITS) && IPC_MACOS_LIMITS
constexpr size_t shm_name_limit = 31;
constexpr size_t sem_name_limit = 31;
constexpr bool sem_getvalue_works = false;
constexpr unsigned sem_value_limit = 32767;
#else
constexpr size_t shm_name_limit = NAME_MAX;
// glibc, which a portable build on Linux still runs on, keeps semaphore
// "x" as the file "sem.x".
constexpr size_t sem_name_limit = NAME_MAX - 4;
constexpr bool sem_getvalue_works = true;
constexpr unsigned sem_value_limit = SEM_VALUE_MAX;
#endif

}  // namespace ipc::platform
