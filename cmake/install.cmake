# Installation in Lua's own layout under the prefix (CMAKE_INSTALL_PREFIX,
# /usr/local unless set, or `cmake --install --prefix P`), DESTDIR honoured:
#   LUA_CDIR  C modules,   default lib/lua/5.4    ipc.so
#   LUA_LDIR  Lua modules, default share/lua/5.4  ipc/*.lua from lua/ipc/
# A relative folder is taken under the prefix; luarocks passes absolute ones.
# `make uninstall` (cmake/uninstall.cmake) undoes what the install wrote.
set(LUA_CDIR "lib/lua/5.4" CACHE STRING "C module folder (relative: under the prefix)")
set(LUA_LDIR "share/lua/5.4" CACHE STRING "Lua module folder (relative: under the prefix)")

file(GLOB IPC_LUA_MODULES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/lua/ipc/*.lua)
set(IPC_INSTALL_DIRS ${LUA_CDIR})
if(IPC_LUA_MODULES)
  list(APPEND IPC_INSTALL_DIRS ${LUA_LDIR}/ipc)
endif()

# First, before any file is copied: note the folders the install creates.
install(CODE "
  set(IPC_INSTALL_DIRS \"${IPC_INSTALL_DIRS}\")
  set(IPC_DIRS_FILE \"${CMAKE_BINARY_DIR}/install_dirs.txt\")
  include(\"${PROJECT_SOURCE_DIR}/cmake/install_dirs.cmake\")")
install(TARGETS ipc LIBRARY DESTINATION ${LUA_CDIR})
if(IPC_LUA_MODULES)
  install(FILES ${IPC_LUA_MODULES} DESTINATION ${LUA_LDIR}/ipc)
endif()
