// proc.spawn's arguments: the command and the options table, checked and
// turned into a spawn_request. Misuse raises an error naming the calling
// function (`spawn`, or `run` for proc.run) and the option; the strings the
// request points to are kept alive on the Lua stack.
#pragma once

#include "../core/lua.hpp"
#include "request.hpp"

namespace ipc::proc {

// Checks (cmd, options) at stack positions 1 and 2 (options may be absent)
// for the Lua function `fname`. Leaves the callback (or nil) at index 3 and
// what keeps the strings alive above it. Raises on misuse.
void check_spawn_args(lua_State* L, const char* fname, spawn_request* req);

// Raises "bad argument #2 to '<fname>' (options.<what>)".
[[noreturn]] void option_error(lua_State* L, const char* fname, const char* fmt,
                               ...);

// A number of seconds at `idx` (absent: `dflt`); raises for a negative
// value or NaN, naming argument `arg` of `fname`.
double check_seconds_arg(lua_State* L, int idx, double dflt);

}  // namespace ipc::proc
