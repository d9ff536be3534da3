# Cross-compiling for 64-bit Windows with MinGW-w64 (Debian's mingw-w64).
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake
#
# IPC_WIN_PREFIX is the prefix deps/windows.sh fills with the cross-built Lua
# and libuv (bin/, include/, lib/, lib/pkgconfig/; by default under
# $IPC_WIN_DEPS or build-win/deps, as that script puts it); pkg-config looks there
# and only there, so the build never picks up the host's Linux libraries.
# The posix thread model: GCC 12 has std::mutex only there, and luaipc's
# job threads use pthreads. winpthread is linked into the module
# statically (src/platform/sources.cmake), as are the GCC runtime
# libraries, so a module needs nothing beyond lua54.dll and the system's
# DLLs. (deps/windows.sh builds Lua with the win32 model: plain C needs no
# threads.)
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(MINGW_TRIPLE x86_64-w64-mingw32)
set(MINGW_THREADS posix CACHE STRING "MinGW-w64 thread model: posix or win32")
set(CMAKE_C_COMPILER ${MINGW_TRIPLE}-gcc-${MINGW_THREADS})
set(CMAKE_CXX_COMPILER ${MINGW_TRIPLE}-g++-${MINGW_THREADS})
set(CMAKE_RC_COMPILER ${MINGW_TRIPLE}-windres)

if(DEFINED ENV{IPC_WIN_DEPS})
  set(_ipc_deps "$ENV{IPC_WIN_DEPS}")
else()
  get_filename_component(_ipc_deps "${CMAKE_CURRENT_LIST_DIR}/../build-win/deps"
                         ABSOLUTE)
endif()
set(IPC_WIN_PREFIX "${_ipc_deps}/prefix" CACHE PATH
    "Prefix of the cross-built Lua and libuv")

set(CMAKE_FIND_ROOT_PATH /usr/${MINGW_TRIPLE} ${IPC_WIN_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(ENV{PKG_CONFIG_LIBDIR} "${IPC_WIN_PREFIX}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

foreach(_kind SHARED MODULE EXE)
  set(CMAKE_${_kind}_LINKER_FLAGS_INIT "-static-libgcc -static-libstdc++")
endforeach()

# Programs built for the target (try_run, add_test) run under Wine in the
# private prefix deps/windows.sh creates, never in ~/.wine.
find_program(IPC_WINE wine)
if(IPC_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR env "WINEPREFIX=${_ipc_deps}/wine"
      WINEDEBUG=-all ${IPC_WINE})
endif()
