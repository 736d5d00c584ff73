// Tests for the buffer cache: alignment, reuse within a size class, its limit, and that a
// recycled buffer never leaks old values into a tensor that promises zeros.
#include <doctest/doctest.h>

#include <cstdint>

#include "tensor/buffer_cache.h"
#include "tensor/tensor.h"

using namespace attn;

namespace {
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCacheOff = true;  // the cache stands aside under AddressSanitizer
#else
constexpr bool kCacheOff = false;
#endif
}  // namespace

TEST_CASE("buffer cache: every buffer is 64-byte aligned, small or large") {
  for (std::size_t bytes : {std::size_t(1), std::size_t(100), std::size_t(4096), std::size_t(5000),
                            std::size_t(1) << 20}) {
    void* buffer = acquire_buffer(bytes);
    CHECK(reinterpret_cast<std::uintptr_t>(buffer) % 64 == 0);
    release_buffer(buffer, bytes);
  }
}

TEST_CASE("buffer cache: a released buffer serves the next request of its size class" *
          doctest::skip(kCacheOff)) {
  free_cached_buffers();
  void* first = acquire_buffer(5000);  // class 5120: steps of 512 between 4096 and 8192
  release_buffer(first, 5000);
  CHECK(cached_buffer_bytes() == 5120);
  void* second = acquire_buffer(5100);  // same class
  CHECK(second == first);
  CHECK(cached_buffer_bytes() == 0);
  release_buffer(second, 5100);
  free_cached_buffers();
  CHECK(cached_buffer_bytes() == 0);
}

TEST_CASE("buffer cache: small buffers are not cached") {
  free_cached_buffers();
  void* small = acquire_buffer(1000);
  release_buffer(small, 1000);
  CHECK(cached_buffer_bytes() == 0);
}

TEST_CASE("buffer cache: holds no more than the peak of memory in use" * doctest::skip(kCacheOff)) {
  // Sizes far above anything else the tests use, so they set the peak; never written, so the
  // operating system commits no pages for them.
  free_cached_buffers();
  const std::size_t a = std::size_t(600) << 20;  // class 640 MiB
  const std::size_t b = std::size_t(500) << 20;  // class 512 MiB
  release_buffer(acquire_buffer(a), a);          // peak 640 MiB; cached 640 MiB
  CHECK(cached_buffer_bytes() == std::size_t(640) << 20);
  release_buffer(acquire_buffer(b), b);  // 640 + 512 would pass the peak: b is freed
  CHECK(cached_buffer_bytes() == std::size_t(640) << 20);
  free_cached_buffers();
}

TEST_CASE("buffer cache: zeros() on a recycled buffer is all zeros") {
  { const Tensor dirty = Tensor::full({3000}, 7); }  // 12,000 bytes, back into the cache
  const Tensor clean = Tensor::zeros({3000});
  for (real value : clean.to_vector()) REQUIRE(value == 0);
}
