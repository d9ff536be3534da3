// The one handle lifecycle shared by every luaipc type: open -> closed.
//
// A handle is a full userdata whose C++ object starts with `ipc::handle`.
// It is constructed closed, given its metatable, and only then opened (the
// order liolib uses), so `__gc` never sees a half-made object. `close`,
// `__gc` and `__close` share one idempotent release; methods of a closed
// handle raise "attempt to use a closed handle". Every function of a class
// gets its metatable as upvalue 1, which makes type checks one comparison.
#pragma once

#include <new>
#include <type_traits>

#include "lua.hpp"

namespace ipc {

struct handle {
  // Releases the OS resource and returns 0 or an errno value. Null once the
  // handle is closed. It must not raise: it also runs from __gc.
  int (*release)(handle*) = nullptr;
  bool is_open() const { return release != nullptr; }
};

// Makes the metatable `name` (also its __name) whose __index holds
// `methods` plus `close`, with __gc, __close and __tostring. Leaves nothing
// on the stack.
void new_class(lua_State* L, const char* name, const luaL_Reg* methods);

// Pushes a new closed `T` with the metatable `name` and `nuv` user values.
template <class T>
T* new_handle(lua_State* L, const char* name, int nuv = 0) {
  static_assert(std::is_trivially_destructible_v<T>,
                "handles are freed by Lua without running destructors");
  static_assert(std::is_standard_layout_v<T>, "T must start with ipc::handle");
  static_assert(alignof(T) <= alignof(max_align_t), "over-aligned handle");
  T* h = new (lua_newuserdatauv(L, sizeof(T), nuv)) T();
  luaL_setmetatable(L, name);
  return h;
}

// Argument `idx` must be a handle of the class whose metatable is the
// calling function's upvalue 1; raises a type error otherwise.
handle* check_class(lua_State* L, int idx);
// Same, and the handle must be open.
handle* check_open(lua_State* L, int idx);

template <class T>
T* check_open_as(lua_State* L, int idx) {
  return reinterpret_cast<T*>(check_open(L, idx));
}

// Releases an open handle and marks it closed; returns 0 or an errno.
int close_handle(handle* h);

// Raises the error for a closed handle.
[[noreturn]] void raise_closed(lua_State* L);

}  // namespace ipc
