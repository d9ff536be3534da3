// Windows process machinery for ipc.proc's Windows engine
// (src/proc/win/start.cpp): job objects for `group`, and the exit code of
// a process that ended before libuv reported it. OS calls only.
#pragma once

#include <cstdint>

namespace ipc::platform {

// A job object that terminates its processes when its last handle closes;
// nullptr with *err set when the system refuses one.
void* job_create(int* err);

// Puts the process `pid` into `job`: its later children are in it too.
// Returns 0 or an errno.
int job_assign(void* job, int pid);

// Terminates every process of `job` (exit code 1); 0 or an errno.
int job_terminate(void* job);

// Closes the handle of `job` (its processes are terminated with it).
void job_close(void* job);

// The exit code of the process `pid` once it has ended: true and *code,
// or false while it runs or when it cannot be asked.
bool exit_code_of(int pid, int64_t* code);

}  // namespace ipc::platform
