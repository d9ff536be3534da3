# make uninstall: [DESTDIR=...] cmake -DBUILD=<build folder> -P cmake/uninstall.cmake
# Removes the files the last install from that build folder wrote (CMake's
# install_manifest.txt), then those of the folders the installs created
# (install_dirs.txt) that are now empty, and forgets both lists. Both lists
# hold paths without DESTDIR: pass the DESTDIR the install had.
if(NOT EXISTS "${BUILD}/install_manifest.txt")
  message(FATAL_ERROR "uninstall: nothing installed from ${BUILD} (no install_manifest.txt)")
endif()
set(root "$ENV{DESTDIR}")
file(STRINGS "${BUILD}/install_manifest.txt" files)
foreach(path IN LISTS files)
  if(EXISTS "${root}${path}" OR IS_SYMLINK "${root}${path}")
    message(STATUS "Removing: ${root}${path}")
    file(REMOVE "${root}${path}")
  else()
    message(STATUS "Not found: ${root}${path}")
  endif()
endforeach()

set(dirs "")
if(EXISTS "${BUILD}/install_dirs.txt")
  file(STRINGS "${BUILD}/install_dirs.txt" dirs)
endif()
# In reverse order every folder comes before its parent.
list(REMOVE_DUPLICATES dirs)
list(SORT dirs)
list(REVERSE dirs)
foreach(path IN LISTS dirs)
  file(GLOB entries "${root}${path}/*" "${root}${path}/.*")
  if(IS_DIRECTORY "${root}${path}" AND NOT entries)
    message(STATUS "Removing: ${root}${path}/")
    file(REMOVE_RECURSE "${root}${path}")
  endif()
endforeach()
file(REMOVE "${BUILD}/install_manifest.txt" "${BUILD}/install_dirs.txt")
