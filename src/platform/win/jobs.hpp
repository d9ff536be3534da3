// Windows process machinery for ipc.proc's Windows engine
// (src/proc/win/start.cpp): job objects for `group`, the exit code of a
// process that ended before libuv reported it, and the parent's files kept
// from children. OS calls only.
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

// Makes the handles of the C runtime's descriptors above 2 uninheritable,
// as close-on-exec does on POSIX: libuv starts every child with all
// inheritable handles, and the C runtime opens files (Lua's io.open) with
// inheritable ones, so a child would hold every file the program had open
// (and, with it, the program's locks on it). The standard three stay
// inheritable for os.execute and io.popen; what a child is given, libuv
// duplicates for it.
void keep_files_from_children();

}  // namespace ipc::platform
