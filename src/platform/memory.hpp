// Hints to the OS about memory: huge pages for large strings, and faulting
// in the pages of a large write into a mapping with one call. Both are only
// hints: where the OS has no such call they do nothing. Also which signals
// report a mapping that lost its file's pages, and the size of the L2
// cache, which buffer sizes follow. OS calls only.
#pragma once

#include <cstddef>

namespace ipc::platform {

// Asks for transparent huge pages on [addr, addr + len).
void advise_huge(void* addr, size_t len);

// Asks the OS to fault in, writable, the pages of [addr, addr + len).
void prefault_write(void* addr, size_t len);

// The signals a touch of a mapped page past the end of its file raises:
// SIGBUS on Linux; SIGBUS or SIGSEGV on macOS and FreeBSD. Writes them to
// `sigs` and returns how many (at most 2).
int mapping_fault_signals(int sigs[2]);

// The size in bytes of the L2 cache of the first CPU, 0 when the OS does
// not say.
size_t l2_cache_bytes();

// The storage class of thread-local data a signal handler reads. ELF's
// initial-exec model is a plain thread-pointer-relative load, allocated
// with the thread; `__thread` (for data without constructor) also spares
// other files that declare it extern a call to check for an initializer
// at every access. Elsewhere (Mach-O allocates thread-local data on a
// thread's first access) no model is assumed: the handler reads it only
// once a range was armed, and a thread arms before it touches the memory it
// guards, so the storage of a thread whose fault is ours exists by then.
#if defined(__ELF__)
#define IPC_HANDLER_TLS __attribute__((tls_model("initial-exec"))) __thread
#else
#define IPC_HANDLER_TLS thread_local
#endif

}  // namespace ipc::platform
