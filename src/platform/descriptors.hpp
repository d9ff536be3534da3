// libuv's first loop of a process sets up its signal pipe and aborts if
// that fails; with fewer than a handful of free descriptors the first loop
// is refused with EMFILE instead. Where libuv needs no descriptors for
// that (Windows) the check passes. OS calls only.
#pragma once

namespace ipc::platform {

// 0 when the process has the spare descriptors, else the errno.
int check_spare_descriptors();

}  // namespace ipc::platform
