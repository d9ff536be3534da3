// Names on Windows: objects of the session's Local\ namespace, which
// disappear with their last handle, so nothing is ever left to remove and
// a creator's close cannot touch a successor (see platform/named.hpp).
#include "../named.hpp"

#include "errors.hpp"

namespace ipc::platform {

size_t name_max(name_kind kind) {
  return local_name_max(kind == name_kind::sem ? "sem" : "shm");
}

const char* name_forbidden() {
  return "/\\";
}

bool names_persist() {
  return false;
}

object_id identity_created(name_kind, const char*, os_handle) {
  return object_id{0, 0, false};
}

// A creator never removes the name, so a successor is always left alone.
bool have_sem_identity() {
  return true;
}

object_id identity_now(name_kind, const char*) {
  return object_id{0, 0, false};
}

}  // namespace ipc::platform
