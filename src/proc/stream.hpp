// The pulled streams of ipc.proc: h:stdout() and h:stderr() of a handle
// spawned without a callback, read on demand like a Lua file. The bytes
// are buffered in the engine (child::out, see engine.hpp) and parsed by
// the read formats shared with memfile (core/reader.hpp); a read that
// needs more bytes than the pipe holds waits as h:wait() does (a wait_op,
// core/suspend.hpp), and nothing is read from the pipe before a read asks.
#pragma once

#include "../core/lua.hpp"
#include "proc_handle.hpp"

namespace ipc::proc {

// Registers the class ipc.proc.stream.
void stream_class(lua_State* L);

// h:stdout(), h:stderr(): pushes the stream `s` of the handle at index 1,
// the same object on every call; raises unless it is a pulled pipe.
void push_stream(lua_State* L, proc_handle* p, int s);

// s:read(...) and s:lines(...) for the stream at index 1 (h:read and
// h:lines put it there).
int stream_read(lua_State* L);
int stream_lines(lua_State* L);

// Closes the streams of the handle at `idx` (h:close()).
void close_streams(lua_State* L, int idx);

// Whether the value at `idx` is an ipc.proc.stream.
bool is_stream(lua_State* L, int idx);

// options.stdin = stream (the hand-off): checks that the stream at `idx`
// can be handed over (a pulled pipe nothing was read from; raises naming
// `fname` otherwise) and returns its pipe's descriptor, or -1 where the
// platform has none to give (Windows).
int stream_handoff_fd(lua_State* L, int idx, const char* fname);

// Around the spawn of the child that takes the stream at `idx` (if it is
// one): before, the pipe is made blocking; after, it is closed in this
// process when the spawn `taken` it, or restored.
void stream_handoff_begin(lua_State* L, int idx);
void stream_handoff_end(lua_State* L, int idx, bool taken);

}  // namespace ipc::proc
