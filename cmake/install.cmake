# make install: the system's Lua 5.4 C module folder.
if(NOT LUA_CMOD_DIR)
  pkg_get_variable(LUA_CMOD_DIR lua5.4 INSTALL_CMOD)
endif()
if(NOT LUA_CMOD_DIR)
  set(LUA_CMOD_DIR lib/${CMAKE_LIBRARY_ARCHITECTURE}/lua/5.4)
endif()
install(TARGETS ipc LIBRARY DESTINATION ${LUA_CMOD_DIR})
