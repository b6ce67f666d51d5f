// Float storage on 64-byte boundaries for edgescope's own AVX-512 kernels: a 512-bit load that straddles two
// cache lines costs two (a 3x3 depthwise kernel ran 1.4x slower on malloc's 16-byte alignment).
#pragma once

#include <cstdlib>
#include <new>
#include <vector>

namespace es::cpu {

template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(size_t n) {
    void* p = std::aligned_alloc(64, (n * sizeof(T) + 63) / 64 * 64);
    if (!p) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) { std::free(p); }
  bool operator==(const CacheLineAllocator&) const { return true; }
};

using AlignedFloats = std::vector<float, CacheLineAllocator<float>>;

}  // namespace es::cpu
