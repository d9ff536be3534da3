// The memory-file engine: the methods of a Lua file (read, lines, write,
// seek, flush, setvbuf, close) plus size, addr and truncate, over a block of
// memory. strfile, mmap and shm differ only in how they obtain the block and
// in what release and flush do; the reading code is a port of Lua 5.4's
// liolib.c (g_read, read_line, read_number, test_eof, read_chars, f_seek,
// g_write, aux_lines, io_readline) with memchr scans and one copy per value.
// A read that pushes several values pins the handle (see handle.hpp): the
// collector may run a finalizer that closes it between two values.
#pragma once

#include <cstddef>

#include "handle.hpp"

namespace ipc {

struct memfile {
  handle base;
  char* addr = nullptr;
  size_t size = 0;  // usable length; truncate() only shrinks it
  size_t pos = 0;   // always <= size
  bool readable = false;
  bool writable = false;
  // Length of the mapping at `addr` when its pages belong to a file that
  // another process may shrink (mmap, shm): accesses are then guarded
  // against SIGBUS (see fault.hpp). 0 for memory that cannot go away.
  size_t mapped = 0;
  // The range [prefaulted_lo, prefaulted_hi) of the mapping that large
  // writes already asked the OS to fault in (see memfile.cpp).
  size_t prefaulted_lo = 0;
  size_t prefaulted_hi = 0;
  // Makes written bytes durable; returns 0 or an errno. Null: nothing to do.
  int (*flush)(memfile*) = nullptr;
  // Called after a guarded access lost the pages from `lost` on: returns
  // the errno to report when the handle may stay as it is, or 0 when the
  // memory is gone (the handle then shrinks and EFAULT is reported). Null:
  // always shrink.
  int (*recover)(memfile*, char* lost, bool writing) = nullptr;
};

// Registers the file-like class `name` with the shared memfile methods.
void memfile_class(lua_State* L, const char* name);

}  // namespace ipc
