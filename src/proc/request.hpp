// What proc.spawn asks of the engine: the command, its environment and
// directory, and how each standard stream of the child is connected. Built
// by options.cpp from the Lua arguments, read by the platform's start of a
// child (posix/ or win/). No OS calls.
#pragma once

namespace ipc::proc {

// How each of the child's standard streams is connected.
// stdio_merge: stderr goes wherever stdout goes ("2>&1").
enum stdio_kind {
  stdio_inherit = 0,
  stdio_pipe = 1,
  stdio_fd = 2,
  stdio_null = 3,
  stdio_merge = 4,
};

// Everything the spawn needs; the strings are owned by the caller and only
// used during the start.
struct spawn_request {
  const char* file;
  char** args;
  char** env;  // nullptr: the parent's environment
  const char* cwd;
  stdio_kind kind[3];
  int fd[3];
  bool group;
  bool detach;           // a new session, not our child (double fork)
  bool die_with_parent;  // SIGKILL when this process ends
  bool command_line;     // args hold a finished command line (see shell.hpp)
  double timeout;        // seconds; <= 0 means none
  double drain_timeout;  // seconds
  bool pull;             // piped stdout/stderr are read on demand (no callback)
};

}  // namespace ipc::proc
