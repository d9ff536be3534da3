// How a command reaches the system, the platform's half of proc.spawn's
// arguments (posix/command.cpp, win/command.cpp): the shell that runs a
// string command, and what explains a failed start.
#pragma once

#include "../core/lua.hpp"
#include "request.hpp"

namespace ipc::proc {

// The environment of this process ("NAME=value" strings).
char** parent_environment();

// Whether the names of environment variables are the same in any case
// (Windows: PATH and Path), so that options.env's names override the
// parent's regardless of case.
bool env_names_fold_case();

// Sets req->args and req->file for the string command `cmd`: /bin/sh -c
// on POSIX, cmd.exe /d /s /c on Windows. What they point to is pushed on
// the Lua stack, which keeps it alive.
void shell_command(lua_State* L, const char* cmd, spawn_request* req);

// Whether the start failed with `err` because of options.cwd (a missing or
// unusable directory), so that the message names it.
bool cwd_at_fault(const spawn_request& req, int err);

// Why the platform refused to start req (`err` is what the start
// returned), for the message; nullptr when it did not refuse.
const char* refusal(const spawn_request& req, int err);

}  // namespace ipc::proc
