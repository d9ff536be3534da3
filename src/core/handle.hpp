// The one handle lifecycle shared by every luaipc type: open -> closed.
//
// A handle is a full userdata whose C++ object starts with `ipc::handle`.
// It is constructed closed, given its metatable, and only then opened (the
// order liolib uses), so `__gc` never sees a half-made object. `close`,
// `__gc` and `__close` share one idempotent release; methods of a closed
// handle raise "attempt to use a closed handle". Every function of a class
// gets its metatable as upvalue 1, which makes type checks one comparison.
//
// Two rules keep a handle safe from the code that runs inside its own
// methods and from fork():
// - Pinning. Anything that allocates can run the collector, and so any
//   finalizer, which may close the handle a method is using. A method that
//   touches the resource after such a point pins the handle for that span:
//   a close while pinned marks the handle closed at once (later methods
//   raise) but leaves the release to the last unpin. `__gc` releases in
//   any case: a collected handle has no method running (the running method
//   holds it on its stack), and a pin left behind by an error that unwound
//   the method cannot keep the resource forever.
// - Ownership. Every handle records the process that opened it. After
//   fork(), the child's copies are not `owned_here`: their release frees
//   only what the child holds (its mapping, its descriptor) and never
//   acts on shared state the parent owns (names, children).
#pragma once

#include <new>
#include <type_traits>

#include "lua.hpp"
#include "runtime.hpp"

namespace ipc {

struct handle {
  // Releases the OS resource and returns 0 or an errno value. Null once the
  // handle is closed. It must not raise: it also runs from __gc.
  int (*release)(handle*) = nullptr;
  // The release a close while pinned left to the last unpin.
  int (*deferred)(handle*) = nullptr;
  unsigned pins = 0;
  unsigned generation = 0;  // of the process that made the handle
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
  unsigned gen = process_generation();
  T* h = new (lua_newuserdatauv(L, sizeof(T), nuv)) T();
  reinterpret_cast<handle*>(h)->generation = gen;
  luaL_setmetatable(L, name);
  return h;
}

// Argument `idx` as an open handle of the class whose metatable is the
// calling function's upvalue 1; raises a type error for anything else and
// "attempt to use a closed handle" for a closed one.
handle* check_handle(lua_State* L, int idx);

template <class T>
T* check_as(lua_State* L, int idx) {
  static_assert(std::is_standard_layout_v<T>, "T must start with ipc::handle");
  return reinterpret_cast<T*>(check_handle(L, idx));
}

// Marks an open handle closed and releases it (or, while it is pinned,
// leaves the release to the last unpin); returns 0 or an errno.
int close_handle(handle* h);

// Pins and unpins `h` (see above). unpin runs a deferred release.
void pin(handle* h);
void unpin(handle* h);

// True when the running process made `h` (false in a forked child).
bool owned_here(const handle* h);

// Raises the error for a closed handle.
[[noreturn]] void raise_closed(lua_State* L);

}  // namespace ipc
