# The platform seam: which implementation of each operating-system concern
# the build compiles. Every concern has one interface header in
# src/platform/ and one implementation per platform family; this file picks
# them, so that no module needs an #ifdef for an OS difference.
set(IPC_PLATFORM_SOURCES
  src/platform/posix/sigpipe.cpp)
