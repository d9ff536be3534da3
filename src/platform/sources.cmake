# The platform seam: which implementation of each operating-system concern
# the build compiles. Every concern has one interface header in
# src/platform/ and one implementation per platform family; this file picks
# them, so that no module needs an #ifdef for an OS difference.
#   named      name maxima and object identity of shm and semaphores
#   semaphore  timed semaphore waits and sem_getvalue
#   lock       byte-range locks
#   memory     huge-page and prefault hints
#   process    the OS's name and its process capabilities
set(IPC_PLATFORM_CONCERNS named semaphore lock memory process)
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  set(IPC_PLATFORM_FAMILY linux)
else()
  message(FATAL_ERROR "no platform implementation for ${CMAKE_SYSTEM_NAME}")
endif()
set(IPC_PLATFORM_SOURCES)
foreach(concern IN LISTS IPC_PLATFORM_CONCERNS)
  list(APPEND IPC_PLATFORM_SOURCES
       src/platform/${IPC_PLATFORM_FAMILY}/${concern}.cpp)
endforeach()
