// The SIGBUS (and, where the platform says so, SIGSEGV) recovery of mapped
// handles (see fault.hpp).
#include "fault.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

#include "../platform/memory.hpp"
#include "runtime.hpp"

namespace ipc {
namespace fault_detail {

IPC_HANDLER_TLS fault_state armed;
std::atomic<bool> ever_armed{false};

}  // namespace fault_detail

namespace {

using fault_detail::armed;
using fault_detail::ever_armed;

// The signals handled (SIGBUS, and SIGSEGV where the platform may report
// a lost page with it) and the handler each had before ours.
int fault_signals[2];
int fault_signal_count;
struct sigaction previous[2];
uintptr_t page_mask;
pthread_once_t once = PTHREAD_ONCE_INIT;
int install_error;

void reset_default(int sig) {
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  sigaction(sig, &dfl, nullptr);
}

// Hands a signal that is not ours to whoever handled it before us. A
// fault raised by the kernel (si_code > 0) re-executes the faulting
// access when we return; a signal sent with kill() must be raised again.
void chain(int sig, siginfo_t* info, void* context) {
  const struct sigaction& prev = previous[fault_signals[0] == sig ? 0 : 1];
  bool sent = info->si_code <= 0;
  if (prev.sa_handler == SIG_DFL) {
    reset_default(sig);
    if (sent) raise(sig);
  } else if (prev.sa_handler == SIG_IGN) {
    if (!sent) reset_default(sig);  // a real fault cannot be ignored
  } else if (prev.sa_flags & SA_SIGINFO) {
    prev.sa_sigaction(sig, info, context);
  } else {
    prev.sa_handler(sig);
  }
}

void on_fault(int sig, siginfo_t* info, void* context) {
  int saved_errno = errno;
  if (!ever_armed.load(std::memory_order_relaxed)) {
    chain(sig, info, context);
    return;
  }
  auto* at = static_cast<char*>(info->si_addr);
  fault_state& r = armed;
  if (info->si_code > 0 && r.lo && at >= r.lo && at < r.hi) {
    auto first = reinterpret_cast<uintptr_t>(at) & page_mask;
    auto end = (reinterpret_cast<uintptr_t>(r.hi) + ~page_mask) & page_mask;
    // mmap is a plain system call, safe in a signal handler in practice.
    void* p = mmap(reinterpret_cast<void*>(first), end - first,
                   PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p != MAP_FAILED) {
      auto* lost = reinterpret_cast<char*>(first);
      if (!r.lost || lost < r.lost) r.lost = lost;
      errno = saved_errno;
      return;
    }
  }
  errno = saved_errno;
  chain(sig, info, context);
}

void install() {
  // The handler stays installed for the life of the process, so its code
  // must stay loaded too.
  pin_module();
  page_mask = ~(static_cast<uintptr_t>(sysconf(_SC_PAGESIZE)) - 1);
  struct sigaction sa = {};
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  fault_signal_count = platform::mapping_fault_signals(fault_signals);
  for (int i = 0; i < fault_signal_count && !install_error; i++)
    if (sigaction(fault_signals[i], &sa, &previous[i]) != 0)
      install_error = errno;
}

}  // namespace

int install_fault_handler() {
  pthread_once(&once, install);
  return install_error;
}

void fault_forget(char* addr) {
  if (armed.lo == addr) armed.lo = nullptr;
}

}  // namespace ipc
