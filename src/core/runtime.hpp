// Process-wide guarantees that several modules rely on: the module stays
// loaded once it owns a signal or fork handler, and handles can tell
// whether the running process made them. (SIGPIPE: platform/sigpipe.hpp.)
#pragma once

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace ipc {

// Keeps this shared object loaded for the life of the process (a handler
// of ours must never point into unmapped code after lua_close).
void pin_module();

// A number that changes in the child of every fork() (a pthread_atfork
// handler bumps it): a handle compares it with the one it recorded when
// it was made (see handle.hpp, owned_here).
unsigned process_generation();

// Whether the environment variable `name` is set to something other than
// "" and "0" (the switches that send tests down other paths), read once
// into `*cache` (-1: not read yet; a race reads it twice, alike).
inline bool env_switch(const char* name, std::atomic<int>* cache) {
  int v = cache->load(std::memory_order_relaxed);
  if (v < 0) {
    const char* s = std::getenv(name);
    v = s && *s && std::strcmp(s, "0") != 0;
    cache->store(v, std::memory_order_relaxed);
  }
  return v != 0;
}

}  // namespace ipc
