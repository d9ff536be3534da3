# The Lua faces of the native modules (lua/ipc/face/*.lua) are compiled
# into ipc.so, so that the one native module is complete wherever Lua's
# loader finds it. They stay real Lua files: linted, read and edited as
# such, with tracebacks naming the file. This writes them into a generated
# header as byte arrays; CMake runs again when one of them changes.
file(GLOB IPC_FACE_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/lua/ipc/face/*.lua)
set(IPC_FACES_HEADER ${CMAKE_BINARY_DIR}/gen/ipc_faces.hpp)
set(out "// Generated from lua/ipc/face/*.lua by cmake/faces.cmake.\n#pragma once\n\nnamespace ipc::faces {\n")
foreach(f ${IPC_FACE_FILES})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${f})
  get_filename_component(name ${f} NAME_WE)
  file(READ ${f} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND out "constexpr unsigned char ${name}[] = {${bytes} 0};\n")
endforeach()
string(APPEND out "}  // namespace ipc::faces\n")
file(WRITE ${IPC_FACES_HEADER}.tmp "${out}")
configure_file(${IPC_FACES_HEADER}.tmp ${IPC_FACES_HEADER} COPYONLY)
