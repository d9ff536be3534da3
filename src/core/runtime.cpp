// Process-wide guarantees (see runtime.hpp).
#include "runtime.hpp"

#include <dlfcn.h>
#include <pthread.h>

#include <atomic>

namespace ipc {
namespace {

std::atomic<unsigned> generation{1};
pthread_once_t fork_once = PTHREAD_ONCE_INIT;

void after_fork_in_child() {
  generation.fetch_add(1, std::memory_order_relaxed);
}

void install_fork_handler() {
  pin_module();  // the handler runs at every later fork of the process
  pthread_atfork(nullptr, nullptr, after_fork_in_child);
}

}  // namespace

void pin_module() {
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&pin_module), &self) && self.dli_fname)
    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

unsigned process_generation() {
  pthread_once(&fork_once, install_fork_handler);
  return generation.load(std::memory_order_relaxed);
}

}  // namespace ipc
