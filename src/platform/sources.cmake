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
#   spawn      close-on-exec pipes, closing descriptors in a forked child
#   descriptors  the spare descriptors libuv's first loop needs
#   sigpipe    SIGPIPE kept away from luaipc's own writes
#   signals    signal numbers by name, for h:kill()
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
# SIGPIPE).
#
# ipc.proc's engine has a platform half too: src/proc/posix/ (posix_spawn or
# fork and exec, pidfd or waitpid, kill) or src/proc/win/ (uv_spawn, job
# objects); that folder is also on the include path, for the engine's
# watch.hpp.
option(IPC_PORTABLE_POSIX "Build the portable POSIX paths instead of Linux's" OFF)
option(IPC_MACOS_LIMITS "With the portable paths: hold to macOS's limits" OFF)
set(IPC_POSIX_SHARED semaphore_ops shmem mapping handle descriptors sigpipe
    signals)
set(IPC_PLATFORM_REPLACES)
set(IPC_PLATFORM_LIBRARIES pthread rt)
if(WIN32)
  set(IPC_PLATFORM_FAMILY win)
  set(IPC_PLATFORM_SOURCES)
  foreach(concern named semaphore shmem mapping handle lock process
          descriptors sigpipe signals errors fault runtime jobs)
    list(APPEND IPC_PLATFORM_SOURCES src/platform/win/${concern}.cpp)
  endforeach()
  list(APPEND IPC_PLATFORM_SOURCES src/platform/posix/memory.cpp)
  set(IPC_PROC_FAMILY win)
  file(GLOB IPC_PROC_SOURCES CONFIGURE_DEPENDS
       ${CMAKE_SOURCE_DIR}/src/proc/win/*.cpp)
  list(APPEND IPC_PLATFORM_SOURCES ${IPC_PROC_SOURCES})
  set(IPC_PLATFORM_REPLACES ${CMAKE_SOURCE_DIR}/src/core/fault.cpp
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
include(CheckCXXSymbolExists)
# Linux's timed semaphore wait is glibc's sem_clockwait (2.30); a C library
# without it (musl) gets the portable polled wait.
set(IPC_SEMAPHORE_FAMILY ${IPC_PLATFORM_FAMILY})
if(IPC_PLATFORM_FAMILY STREQUAL "linux")
  check_cxx_symbol_exists(sem_clockwait semaphore.h IPC_HAVE_SEM_CLOCKWAIT)
  if(NOT IPC_HAVE_SEM_CLOCKWAIT)
    set(IPC_SEMAPHORE_FAMILY posix)
  endif()
endif()
set(IPC_PROC_FAMILY posix)
file(GLOB IPC_PLATFORM_SOURCES CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/src/proc/posix/*.cpp)
foreach(concern named semaphore lock memory process spawn)
  set(family ${IPC_PLATFORM_FAMILY})
  if(concern STREQUAL "semaphore")
    set(family ${IPC_SEMAPHORE_FAMILY})
  endif()
  list(APPEND IPC_PLATFORM_SOURCES src/platform/${family}/${concern}.cpp)
endforeach()
foreach(concern IN LISTS IPC_POSIX_SHARED)
  list(APPEND IPC_PLATFORM_SOURCES src/platform/posix/${concern}.cpp)
endforeach()

# posix_spawn, the fast way to start a child, where the C library can make
# it close every other descriptor and change directory (glibc 2.34,
# FreeBSD 13.1): spawn_np.cpp. Elsewhere (macOS, musl) and in the forced
# portable builds, spawn_none.cpp, and every child is forked and exec'd;
# so are, everywhere, the children posix_spawn cannot start (detach,
# die_with_parent). closefrom: FreeBSD's and glibc's; not with macOS's
# limits, where the portable build closes descriptors one by one as macOS
# must.
check_cxx_symbol_exists(posix_spawn_file_actions_addclosefrom_np spawn.h
                        IPC_HAVE_ADDCLOSEFROM_NP)
check_cxx_symbol_exists(posix_spawn_file_actions_addchdir_np spawn.h
                        IPC_HAVE_ADDCHDIR_NP)
if(IPC_HAVE_ADDCLOSEFROM_NP AND IPC_HAVE_ADDCHDIR_NP AND NOT IPC_PORTABLE_POSIX
   AND NOT IPC_MACOS_LIMITS)
  list(APPEND IPC_PLATFORM_SOURCES src/platform/posix/spawn_np.cpp)
else()
  list(APPEND IPC_PLATFORM_SOURCES src/platform/posix/spawn_none.cpp)
endif()
if(NOT IPC_MACOS_LIMITS)
  check_cxx_symbol_exists(closefrom unistd.h IPC_HAVE_CLOSEFROM)
  if(IPC_HAVE_CLOSEFROM)
    list(APPEND IPC_PLATFORM_DEFINITIONS IPC_HAVE_CLOSEFROM=1)
  endif()
endif()
