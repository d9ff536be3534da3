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

// Writes out what a C stream buffers for writing, keeping what it read
// ahead valid; 0 or an errno. fflush on POSIX; the Microsoft C runtime's
// fflush of a stream that was last read drops its read-ahead without
// moving the file position back, so there it is fseek to where it is.
int flush_stream(FILE* f);

// Drops what a C stream has read ahead and not yet returned, keeping its
// position, so that its next read asks the OS. glibc's fflush on a stream
// that was last read gives the unread bytes back (it seeks the descriptor
// back); on a stream that was last written there is nothing to drop. The
// Microsoft C runtime keeps the buffer on fflush, and drops it on fseek.
void drop_read_buffer(FILE* f);

// Clears a C stream's end-of-file and error indicators.
void clear_stream_state(FILE* f);

// A second handle of the same open file, sharing its locks, not inherited
// by children: 0 and `*out`, or an errno.
int duplicate_handle(os_handle h, os_handle* out);

}  // namespace ipc::platform
