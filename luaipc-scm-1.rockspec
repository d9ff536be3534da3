rockspec_format = "3.0"
package = "luaipc"
version = "scm-1"
source = { url = "git+file://." }
description = {
  summary = "Inter-process communication for Lua 5.4 on libuv",
  detailed = [[
    Processes with pipes and coroutine-friendly callbacks, shared memory,
    memory-mapped files and strings behind the Lua file interface, named
    semaphores and byte-range file locks.
  ]],
  license = "MIT",
}
dependencies = { "lua >= 5.4, < 5.5" }
external_dependencies = { LIBUV = { header = "uv.h" } }
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    LUA_CMOD_DIR = "$(LIBDIR)",
  },
}
