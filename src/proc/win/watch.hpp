// How the Windows engine watches a child (start.cpp): libuv's process
// handle, whose exit callback brings the status. The job object of a
// `group` child is kept beside it. Included by engine.hpp through the
// include path the build chooses (src/platform/sources.cmake).
#pragma once

#include <uv.h>

namespace ipc::proc {

struct exit_watch {
  uv_process_t process;
  void* job;      // the job object of `group` (a HANDLE), or nullptr
  int signalled;  // the last signal sent: a job's kill reports none
};

}  // namespace ipc::proc
