// The buffer cache (see buffer_cache.h): one free list per size class, behind one mutex.
#include "tensor/buffer_cache.h"

#include <algorithm>
#include <bit>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace attn {

namespace {

constexpr std::align_val_t kAlignment{64};
constexpr std::size_t kSmallest = 4096;  // smaller buffers are not cached

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCaching = false;  // AddressSanitizer must see every free to catch a use after it
#else
constexpr bool kCaching = true;
#endif

bool cacheable(std::size_t bytes) { return kCaching && bytes >= kSmallest; }

// bytes rounded up to a multiple of 1/8 of the largest power of two not above it:
// 5000 -> 5120 (steps of 512 between 4096 and 8192).
std::size_t size_class(std::size_t bytes) {
  const std::size_t step = std::bit_floor(bytes) / 8;
  return (bytes + step - 1) / step * step;
}

struct Cache {
  std::mutex mutex;
  std::unordered_map<std::size_t, std::vector<void*>> free_lists;  // size class -> buffers
  std::size_t bytes = 0;      // held in free_lists
  std::size_t in_use = 0;     // handed out and not yet released
  std::size_t peak_use = 0;   // the most ever in use at once: the cache's limit

  ~Cache() { free_all(); }

  void free_all() {
    for (auto& [size, buffers] : free_lists)
      for (void* buffer : buffers) ::operator delete(buffer, kAlignment);
    free_lists.clear();
    bytes = 0;
  }
};

// Built on first use and destroyed after every static that was built before it, so tensors in
// other statics can still release their buffers while the program ends.
Cache& cache() {
  static Cache instance;
  return instance;
}

}  // namespace

void* acquire_buffer(std::size_t bytes) {
  if (!cacheable(bytes)) return ::operator new(bytes == 0 ? 1 : bytes, kAlignment);
  const std::size_t size = size_class(bytes);
  {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    auto found = c.free_lists.find(size);
    c.in_use += size;
    c.peak_use = std::max(c.peak_use, c.in_use);
    if (found != c.free_lists.end() && !found->second.empty()) {
      void* buffer = found->second.back();
      found->second.pop_back();
      c.bytes -= size;
      return buffer;
    }
  }
  return ::operator new(size, kAlignment);
}

void release_buffer(void* buffer, std::size_t bytes) {
  if (cacheable(bytes)) {
    const std::size_t size = size_class(bytes);
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    c.in_use -= size;
    // A step frees what it allocated, so a cache as large as the peak use holds a whole step's
    // buffers for the next one, while memory stays within twice what the program really needs.
    if (c.bytes + size <= c.peak_use) {
      c.free_lists[size].push_back(buffer);
      c.bytes += size;
      return;
    }
  }
  ::operator delete(buffer, kAlignment);
}

std::size_t cached_buffer_bytes() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.bytes;
}

void free_cached_buffers() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.free_all();
}

}  // namespace attn
