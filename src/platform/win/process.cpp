// Process capabilities on Windows (see platform/process.hpp): ipc.proc on
// libuv's uv_spawn; no pidfds, no signals beyond term and kill. Every child
// that is not detached dies with this process: libuv puts it in a job
// object that terminates its processes when this process ends.
#include "../process.hpp"

namespace ipc::platform {

const char* os_name() {
  return "windows";
}

bool have_proc() {
  return true;
}

bool have_pidfd() {
  return false;
}

bool have_signals() {
  return false;
}

bool have_pipe_resize() {
  return false;
}

bool have_die_with_parent() {
  return true;
}

}  // namespace ipc::platform
