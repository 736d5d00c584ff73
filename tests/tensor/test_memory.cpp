// Tensor memory: sizes that overflow are refused by name, live bytes are counted, and a request
// past the limit is one clear error instead of a crash later.
#include <doctest/doctest.h>

#include "tensor/error.h"
#include "tensor/memory.h"
#include "tensor/tensor.h"

using namespace attn;

TEST_CASE("shape: an element count past 2^63 - 1 is an error naming the shape, never a wrap") {
  const int64_t big = int64_t{1} << 40;
  CHECK_THROWS_WITH_AS(numel({big, big}),
                       "shape [1099511627776,1099511627776] has more elements than a 64-bit "
                       "count holds",
                       Error);
  CHECK_THROWS_AS(contiguous_strides({big, big, 2}), Error);
  CHECK(numel({big, big, 0}) == 0);  // no elements at all: nothing to overflow
  CHECK(numel({3, 0, 5}) == 0);
}

TEST_CASE("tensor memory: a tensor too large to address, or past the limit, is refused by shape") {
  const int64_t live = live_tensor_bytes();
  CHECK_THROWS_WITH_AS(Tensor({int64_t{1} << 31, int64_t{1} << 31}),
                       "Tensor: [2147483648,2147483648] is too large to address", Error);
  CHECK_THROWS_WITH_AS(Tensor({int64_t{1} << 20, int64_t{1} << 20}),
                       doctest::Contains("Tensor: out of memory: [1048576,1048576] needs"), Error);
  CHECK(live_tensor_bytes() == live);  // a refused request leaves nothing counted
}

TEST_CASE("tensor memory: live bytes count every storage until it is freed, and the peak stays") {
  const int64_t before = live_tensor_bytes();
  {
    const Tensor a({1000, 10});
    CHECK(live_tensor_bytes() == before + 1000 * 10 * static_cast<int64_t>(sizeof(real)));
    const Tensor view = a.narrow(0, 0, 10);  // a view shares the storage: nothing new
    CHECK(live_tensor_bytes() == before + 1000 * 10 * static_cast<int64_t>(sizeof(real)));
    CHECK(peak_tensor_bytes() >= live_tensor_bytes());
  }
  CHECK(live_tensor_bytes() == before);
  CHECK(tensor_memory_limit() > 0);
  CHECK(byte_size_text(1536) == "1.5 KiB");
  CHECK(byte_size_text(12) == "12 bytes");
}
