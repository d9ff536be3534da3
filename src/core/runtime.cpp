// Process-wide guarantees (see runtime.hpp).
#include "runtime.hpp"

#include <dlfcn.h>
#include <pthread.h>

#include <atomic>
#include <csignal>

namespace ipc {
namespace {

void on_sigpipe(int) {}

void install_sigpipe() {
  struct sigaction sa;
  if (sigaction(SIGPIPE, nullptr, &sa) != 0 || sa.sa_handler != SIG_DFL ||
      (sa.sa_flags & SA_SIGINFO))
    return;
  pin_module();
  struct sigaction ours = {};
  ours.sa_handler = on_sigpipe;
  ours.sa_flags = SA_RESTART;
  sigemptyset(&ours.sa_mask);
  sigaction(SIGPIPE, &ours, nullptr);
}

pthread_once_t sigpipe_once = PTHREAD_ONCE_INIT;

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

void guard_sigpipe() {
  pthread_once(&sigpipe_once, install_sigpipe);
}

unsigned process_generation() {
  pthread_once(&fork_once, install_fork_handler);
  return generation.load(std::memory_order_relaxed);
}

}  // namespace ipc
