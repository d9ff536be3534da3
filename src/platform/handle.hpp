// OS handles of files and shared memory objects: a descriptor on POSIX, a
// HANDLE on Windows, both carried as an integer so that the code above the
// platform seam never names either. OS calls only.
#pragma once

#include <cstdint>
#include <cstdio>

namespace ipc::platform {

using os_handle = intptr_t;
constexpr os_handle no_handle = -1;

// Closes `h`; returns 0 or an errno (an interrupted close is not an error:
// the descriptor is gone either way).
int close_handle(os_handle h);

// The handle under a C stream (its descriptor; on Windows the CRT's HANDLE
// of it). Owned by the stream.
os_handle stream_handle(FILE* f);

// A second handle of the same open file, sharing its locks, not inherited
// by children: 0 and `*out`, or an errno.
int duplicate_handle(os_handle h, os_handle* out);

}  // namespace ipc::platform
