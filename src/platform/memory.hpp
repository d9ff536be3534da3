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

}  // namespace ipc::platform
