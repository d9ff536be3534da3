# The platform seam: which implementation of each operating-system concern
# the build compiles. Every concern has one interface header in
# src/platform/ and one implementation per platform family; this file picks
# them, so that no module needs an #ifdef for an OS difference.
#   named      name maxima and object identity of shm and semaphores
#   semaphore  timed semaphore waits and sem_getvalue
#   lock       byte-range locks
#   memory     huge-page and prefault hints
#   process    the OS's name and its process capabilities
# IPC_PORTABLE_POSIX forces the portable POSIX family on Linux, so that the
# paths macOS and FreeBSD take are built and tested here; IPC_MACOS_LIMITS
# adds macOS's limits (src/platform/posix/limits.hpp).
option(IPC_PORTABLE_POSIX "Build the portable POSIX paths instead of Linux's" OFF)
option(IPC_MACOS_LIMITS "With the portable paths: hold to macOS's limits" OFF)
set(IPC_PLATFORM_CONCERNS named semaphore lock memory process)
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
foreach(concern IN LISTS IPC_PLATFORM_CONCERNS)
  list(APPEND IPC_PLATFORM_SOURCES
       src/platform/${IPC_PLATFORM_FAMILY}/${concern}.cpp)
endforeach()
list(APPEND IPC_PLATFORM_SOURCES src/platform/posix/sigpipe.cpp)
