// libuv's Windows loop needs no spare descriptors (see
// platform/descriptors.hpp).
#include "../descriptors.hpp"

namespace ipc::platform {

int check_spare_descriptors() {
  return 0;
}

}  // namespace ipc::platform
