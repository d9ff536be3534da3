rockspec_format = "3.0"
package = "luaipc"
version = "scm-1"
source = { url = "git+https://github.com/luaipc/luaipc.git" }
description = {
  summary = "Inter-process communication for Lua 5.4 on libuv",
  detailed = [[
    Processes with pipes and coroutine-friendly callbacks, shared memory,
    memory-mapped files and strings behind the Lua file interface, named
    semaphores and byte-range file locks.
  ]],
  homepage = "https://github.com/luaipc/luaipc",
  issues_url = "https://github.com/luaipc/luaipc/issues",
  license = "MIT",
  labels = { "ipc", "process", "shm", "mmap", "semaphore", "libuv" },
}
supported_platforms = { "linux" }
dependencies = { "lua >= 5.4, < 5.5" }
external_dependencies = { LIBUV = { header = "uv.h" } }
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    CMAKE_INSTALL_PREFIX = "$(PREFIX)",
    LUA_CDIR = "$(LIBDIR)",
    LUA_LDIR = "$(LUADIR)",
  },
}
