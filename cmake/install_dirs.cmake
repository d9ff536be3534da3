# Runs at install time, before anything is copied: appends to IPC_DIRS_FILE
# each folder that does not exist yet on the way to the destinations in
# IPC_INSTALL_DIRS, so that uninstalling removes the folders the install
# created and no others.
foreach(dir IN LISTS IPC_INSTALL_DIRS)
  if(NOT IS_ABSOLUTE "${dir}")
    set(dir "${CMAKE_INSTALL_PREFIX}/${dir}")
  endif()
  # Noted without DESTDIR, as CMake's install_manifest.txt notes files.
  while(NOT EXISTS "$ENV{DESTDIR}${dir}" AND NOT dir STREQUAL "/")
    file(APPEND "${IPC_DIRS_FILE}" "${dir}\n")
    get_filename_component(dir "${dir}" DIRECTORY)
  endwhile()
endforeach()
