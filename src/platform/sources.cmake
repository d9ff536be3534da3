# The platform seam: which implementation of each operating-system concern
# the build compiles. Every concern has one interface header in
# src/platform/ and one implementation per platform family; this file picks
# them, so that no module needs an #ifdef for an OS difference.
#   named      name maxima, object identity and removal of shm and semaphores
#   semaphore  named semaphores: open, post, waits (timed), value
#   shmem      named shared memory objects: create, attach
#   mapping    views of files and shared memory, opening a file to map
#   handle     OS handles of files: close, a stream's handle, duplicates
#   lock       byte-range locks
#   memory     huge-page and prefault hints
#   process    the OS's name and its process capabilities
#   descriptors  the spare descriptors libuv's first loop needs
#   sigpipe    SIGPIPE kept away from luaipc's own writes
# The Linux family shares the POSIX family's files where the two agree.
# IPC_PORTABLE_POSIX forces the portable POSIX family on Linux, so that the
# paths macOS and FreeBSD take are built and tested here; IPC_MACOS_LIMITS
# adds macOS's limits (src/platform/posix/limits.hpp).
#
# Windows (MinGW-w64, cmake/mingw-w64.cmake) has files of its own for every
# concern in src/platform/win/, and also stands in for the core files that
# are process machinery on POSIX (IPC_PLATFORM_REPLACES): the SIGBUS guard
# (Windows refuses to shorten a mapped file, so there is nothing to guard)
# and the process-wide guarantees of core/runtime.cpp (no fork, no
# SIGPIPE). ipc.proc is not built there yet: win/proc_absent.cpp gives a
# module whose calls return nil, message, ENOTSUP, and the platform table
# says proc = false.
option(IPC_PORTABLE_POSIX "Build the portable POSIX paths instead of Linux's" OFF)
option(IPC_MACOS_LIMITS "With the portable paths: hold to macOS's limits" OFF)
set(IPC_POSIX_SHARED semaphore_ops shmem mapping handle descriptors sigpipe)
set(IPC_PLATFORM_REPLACES)
set(IPC_PLATFORM_LIBRARIES pthread rt)
if(WIN32)
  set(IPC_PLATFORM_FAMILY win)
  set(IPC_PLATFORM_SOURCES)
  foreach(concern named semaphore shmem mapping handle lock process
          descriptors sigpipe errors fault runtime proc_absent)
    list(APPEND IPC_PLATFORM_SOURCES src/platform/win/${concern}.cpp)
  endforeach()
  list(APPEND IPC_PLATFORM_SOURCES src/platform/posix/memory.cpp)
  file(GLOB IPC_PLATFORM_REPLACES ${CMAKE_SOURCE_DIR}/src/proc/*.cpp)
  list(APPEND IPC_PLATFORM_REPLACES ${CMAKE_SOURCE_DIR}/src/core/fault.cpp
       ${CMAKE_SOURCE_DIR}/src/core/runtime.cpp)
  # 64-bit off_t; Windows 10 APIs; POSIX names of the C runtime (NAME_MAX,
  # sigset_t) with a strict -std=c++17; winpthread (threads, clock_gettime)
  # linked in, so that ipc.dll needs only lua54.dll and system DLLs.
  set(IPC_PLATFORM_DEFINITIONS _FILE_OFFSET_BITS=64 _WIN32_WINNT=0x0A00 _POSIX _POSIX_
      WIN32_LEAN_AND_MEAN)
  # A DLL resolves Lua's symbols at link time: from lua54.dll.
  set(IPC_PLATFORM_LIBRARIES ${LUA_LINK_LIBRARIES} -Wl,-Bstatic winpthread
      -Wl,-Bdynamic)
  return()
endif()
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND NOT IPC_PORTABLE_POSIX
   AND NOT IPC_MACOS_LIMITS)
  set(IPC_PLATFORM_FAMILY linux)
elseif(UNIX)
  set(IPC_PLATFORM_FAMILY posix)
  if(IPC_MACOS_LIMITS)
    set(IPC_PLATFORM_DEFINITIONS IPC_MACOS_LIMITS=1)
  endif()
else()
  message(FATAL_ERROR "no platform implementation for ${CMAKE_SYSTEM_NAME}")
endif()
set(IPC_PLATFORM_SOURCES)
foreach(concern named semaphore lock memory process)
  list(APPEND IPC_PLATFORM_SOURCES
       src/platform/${IPC_PLATFORM_FAMILY}/${concern}.cpp)
endforeach()
foreach(concern IN LISTS IPC_POSIX_SHARED)
  list(APPEND IPC_PLATFORM_SOURCES src/platform/posix/${concern}.cpp)
endforeach()
