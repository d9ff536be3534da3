// luaipc's own C++ objects on the C heap. make<T>(args...) is
// `new (std::nothrow) T{args...}` (nullptr when memory runs out) and
// destroy(p) is `delete p`, without the C++ library's operator new and
// delete: they are all the module would need libstdc++ for, and loading it
// costs every process that requires a luaipc module about 0.8 ms and an
// allocation of its own at load. (Placement new is inline.)
#pragma once

#include <cstdlib>
#include <new>
#include <utility>

namespace ipc {

template <class T, class... A>
T* make(A&&... args) {
  void* p = std::malloc(sizeof(T));
  return p ? new (p) T{std::forward<A>(args)...} : nullptr;
}

template <class T>
void destroy(T* p) {
  if (!p) return;
  p->~T();
  std::free(p);
}

}  // namespace ipc
