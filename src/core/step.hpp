// One step of a state's loop for a host that drives it (ipc.loop.step, the
// luv driver): run what is ready, then deliver what arrived to the Lua
// callbacks of every handle. Modules with callbacks register a delivery
// function once, when they are opened.
#pragma once

#include "lua.hpp"

namespace ipc {

using deliver_fn = void (*)(lua_State* L);

// Adds `fn` to what step() calls (once per function; at most a few).
void add_delivery(deliver_fn fn);

// Pumps the state's loop and delivers; may raise (a callback's error).
void step(lua_State* L);

}  // namespace ipc
