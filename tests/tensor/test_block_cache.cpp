// The block cache: a freed large tensor's block serves the next tensor of its size, a reused
// block is zeroed when asked, and the cache never lets live + cached pass the peak by more than
// its slack.
#include <doctest/doctest.h>

#include <cstdlib>
#include <vector>

#include "tensor/block_cache.h"
#include "tensor/memory.h"
#include "tensor/tensor.h"

using namespace attn;

namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kSlack = 16 * kMiB;  // the default; CI does not set ATTN_BLOCK_CACHE_MIB

// A [rows, 1024] tensor: rows * 4 KiB, a whole number of pages.
Tensor rows_of_4k(int64_t rows) { return Tensor::empty({rows, 4096 / int64_t{sizeof(real)}}); }

}  // namespace

TEST_CASE("block cache: a freed block serves the next tensor of the same size") {
  if (!blocks_are_cached()) {
    MESSAGE("AddressSanitizer build: blocks come from operator new, none is cached");
    CHECK(block_cache_stats().hits == 0);
    return;
  }
  release_cached_blocks();
  const real* first = nullptr;
  {
    Tensor a = rows_of_4k(64);  // 256 KiB
    first = a.data();
  }
  const BlockCacheStats before = block_cache_stats();
  CHECK(before.cached_bytes >= 256 * 1024);
  {
    Tensor same = rows_of_4k(64);
    CHECK(same.data() == first);
    CHECK(block_cache_stats().hits == before.hits + 1);
    Tensor other = rows_of_4k(65);  // 260 KiB: the next size class, 288 KiB, a new block
    CHECK(block_cache_stats().misses == before.misses + 1);
  }
  {
    Tensor nearly = rows_of_4k(63);  // 252 KiB: the 256 KiB class, the block freed above
    CHECK(nearly.data() == first);
    CHECK(block_cache_stats().hits == before.hits + 2);
  }
}

TEST_CASE("block cache: zeros() on a reused block are zeros") {
  {
    Tensor a = rows_of_4k(64);
    a.fill(7);
  }
  const Tensor zeros = Tensor::zeros({64, 4096 / int64_t{sizeof(real)}});
  const real* values = zeros.data();
  int64_t nonzero = 0;
  for (int64_t i = 0; i < zeros.numel(); ++i) nonzero += values[i] != 0;
  CHECK(nonzero == 0);
}

TEST_CASE("block cache: live + cached never passes the peak by more than the slack") {
  if (!blocks_are_cached()) {
    MESSAGE("AddressSanitizer build: nothing is cached");
    return;
  }
  release_cached_blocks();
  // Eight blocks of eight size classes, 4 to 7.5 MiB, freed: the peak held them, so the cache
  // may keep them all.
  {
    std::vector<Tensor> held;
    for (int64_t i = 0; i < 8; ++i) held.push_back(rows_of_4k(1024 + 128 * i));
  }
  CHECK(block_cache_stats().cached_bytes >= 46 * kMiB);
  // Eight more, of the classes 8 to 15 MiB: every request misses, and the stale blocks must make
  // room.
  std::vector<Tensor> held;
  for (int64_t i = 0; i < 8; ++i) {
    held.push_back(rows_of_4k(2048 + 256 * i));
    const int64_t cached = block_cache_stats().cached_bytes;
    CHECK(cached <= peak_tensor_bytes() - live_tensor_bytes() + kSlack);
  }
  release_cached_blocks();
  CHECK(block_cache_stats().cached_bytes == 0);
}

TEST_CASE("block cache: a program's slack widens the bound, and ATTN_BLOCK_CACHE_MIB wins") {
  if (!blocks_are_cached()) {
    MESSAGE("AddressSanitizer build: nothing is cached");
    CHECK(block_cache_slack() == 0);
    return;
  }
  const int64_t before = block_cache_slack();
  set_block_cache_slack(48 * kMiB);
  if (std::getenv("ATTN_BLOCK_CACHE_MIB") != nullptr) {
    CHECK(block_cache_slack() == before);
    return;
  }
  CHECK(block_cache_slack() == 48 * kMiB);
  release_cached_blocks();
  // Eight blocks of the classes 4 to 7.5 MiB (46 MiB) freed, then eight of the classes 8 to 15
  // MiB held: every request misses while the live total climbs back to its peak, so only the
  // slack lets the first eight stay, as a backward's blocks must stay through a forward.
  {
    std::vector<Tensor> freed;
    for (int64_t i = 0; i < 8; ++i) freed.push_back(rows_of_4k(1024 + 128 * i));
  }
  std::vector<Tensor> held;
  for (int64_t i = 0; i < 8; ++i) held.push_back(rows_of_4k(2048 + 256 * i));
  const int64_t cached = block_cache_stats().cached_bytes;
  CHECK(cached <= peak_tensor_bytes() - live_tensor_bytes() + 48 * kMiB);
  CHECK(cached >= 46 * kMiB);
  held.clear();
  set_block_cache_slack(before);
  release_cached_blocks();
}
