// Job objects, exit codes and inherited handles on Windows (see jobs.hpp).
#include "jobs.hpp"

#include <io.h>

#include <cstdint>
#include <cstdlib>

#include "errors.hpp"

namespace ipc::platform {

void* job_create(int* err) {
  HANDLE job = CreateJobObjectA(nullptr, nullptr);
  if (!job) {
    *err = last_errno();
    return nullptr;
  }
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info{};
  info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &info,
                               sizeof info)) {
    *err = last_errno();
    CloseHandle(job);
    return nullptr;
  }
  return job;
}

int job_assign(void* job, int pid) {
  HANDLE p = OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, FALSE,
                         static_cast<DWORD>(pid));
  if (!p) return last_errno();
  int err =
      AssignProcessToJobObject(static_cast<HANDLE>(job), p) ? 0 : last_errno();
  CloseHandle(p);
  return err;
}

int job_terminate(void* job) {
  return TerminateJobObject(static_cast<HANDLE>(job), 1) ? 0 : last_errno();
}

void job_close(void* job) {
  CloseHandle(static_cast<HANDLE>(job));
}

bool exit_code_of(int pid, int64_t* code) {
  HANDLE p = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE,
                         static_cast<DWORD>(pid));
  if (!p) return false;
  DWORD c = 0;
  bool ended = GetExitCodeProcess(p, &c) && c != STILL_ACTIVE;
  CloseHandle(p);
  if (ended) *code = c;
  return ended;
}

namespace {

// Asked about a descriptor that is not open, the C runtime calls this
// instead of ending the program.
void ignore_invalid_parameter(const wchar_t*, const wchar_t*, const wchar_t*,
                              unsigned, uintptr_t) {}

}  // namespace

void keep_files_from_children() {
  constexpr int descriptor_limit = 2048;  // the size of msvcrt's table
  _invalid_parameter_handler before =
      _set_invalid_parameter_handler(ignore_invalid_parameter);
  for (int fd = 3; fd < descriptor_limit; fd++) {
    intptr_t h = _get_osfhandle(fd);
    if (h == -1 || h == -2) continue;
    auto handle = reinterpret_cast<HANDLE>(h);
    DWORD flags = 0;
    if (GetHandleInformation(handle, &flags) && (flags & HANDLE_FLAG_INHERIT))
      SetHandleInformation(handle, HANDLE_FLAG_INHERIT, 0);
  }
  _set_invalid_parameter_handler(before);
}

}  // namespace ipc::platform
