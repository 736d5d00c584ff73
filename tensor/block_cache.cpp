// Large blocks mapped on their own, and the cache of freed ones (see block_cache.h).
#include "tensor/block_cache.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "tensor/memory.h"

namespace attn {

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kMapBlocks = false;  // AddressSanitizer checks only what operator new hands out
#else
constexpr bool kMapBlocks = true;
#endif

constexpr std::align_val_t kAlignment{64};

// The cache may hold what the tensors have needed at their peak and do not need now, plus a
// slack (default 16 MiB; see set_block_cache_slack):
//
//   cached <= (peak live - live) + slack
//
// so live + cached, the memory the process holds for tensors, never passes the peak by more
// than the slack, whatever shapes come and go. Within that, a training step finds most of what
// it frees again: a gradient is shaped like the activation freed just before it.
constexpr int64_t kDefaultSlack = int64_t{16} << 20;

// ATTN_BLOCK_CACHE_MIB in bytes, or -1 when it is not set (or not a number of MiB).
int64_t slack_from_environment() {
  if (const char* text = std::getenv("ATTN_BLOCK_CACHE_MIB")) {
    char* end = nullptr;
    const long long mib = std::strtoll(text, &end, 10);
    if (end != text && *end == '\0' && mib >= 0 && mib < (1LL << 30)) return mib << 20;
  }
  return -1;
}

// The length a block of `bytes` is mapped with, and its size class in the cache: `bytes` rounded
// up to the next of eight steps between powers of two (1 MiB, 1.125 MiB, 1.25 MiB, ...), and to
// whole pages. Batches of varying length make tensors of every size; rounded, a block freed by
// one batch serves the next batch's tensor of nearly the same size. At most 12.5% is added, and
// pages a tensor never touches are never resident.
int64_t mapped_length(int64_t bytes) {
  static const int64_t page = ::sysconf(_SC_PAGESIZE) > 0 ? ::sysconf(_SC_PAGESIZE) : 4096;
  int64_t power = 1;
  while (power <= bytes / 2) power *= 2;  // the largest power of two <= bytes
  const int64_t step = std::max(page, power / 8);
  return (bytes + step - 1) / step * step;
}

struct Block {
  void* data;
  int64_t length;  // mapped bytes
};

// The budget while `live` bytes of tensors are live: what the peak held and they do not need.
int64_t budget_at(int64_t live, int64_t slack) {
  return std::max<int64_t>(0, peak_tensor_bytes() - live) + slack;
}

class BlockCache {
 public:
  // A cached block of `length` bytes, a size class (the most recently freed: its pages are the
  // likeliest to be in a CPU cache), or nullptr. On a miss the caller maps a new block, so the
  // oldest cached ones go first if live + cached would pass the peak by more than the slack; `live`
  // includes the block asked for.
  void* take(int64_t length, int64_t live) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto block = blocks_.rbegin(); block != blocks_.rend(); ++block) {
      if (block->length != length) continue;
      void* data = block->data;
      cached_ -= length;
      blocks_.erase(std::next(block).base());
      ++stats_.hits;
      return data;
    }
    ++stats_.misses;
    trim(budget_at(live, slack_));
    return nullptr;
  }

  // Keeps `block`, then trims the cache to its budget; `live` excludes the block.
  void keep(Block block, int64_t live) {
    std::lock_guard<std::mutex> lock(mutex_);
    blocks_.push_back(block);
    cached_ += block.length;
    trim(budget_at(live, slack_));
  }

  // The user's ATTN_BLOCK_CACHE_MIB wins over a program's choice.
  void set_slack(int64_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (environment_slack_ < 0) slack_ = bytes;
  }

  int64_t slack() {
    std::lock_guard<std::mutex> lock(mutex_);
    return slack_;
  }

  void release_all() {
    std::lock_guard<std::mutex> lock(mutex_);
    trim(0);
  }

  BlockCacheStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    BlockCacheStats stats = stats_;
    stats.cached_bytes = cached_;
    return stats;
  }

 private:
  // Unmaps the oldest blocks until at most `budget` bytes are cached. Called with mutex_ held.
  void trim(int64_t budget) {
    size_t oldest = 0;
    for (; oldest < blocks_.size() && cached_ > budget; ++oldest) {
      ::munmap(blocks_[oldest].data, static_cast<size_t>(blocks_[oldest].length));
      cached_ -= blocks_[oldest].length;
    }
    blocks_.erase(blocks_.begin(), blocks_.begin() + static_cast<std::ptrdiff_t>(oldest));
  }

  std::mutex mutex_;
  std::vector<Block> blocks_;  // oldest first
  int64_t cached_ = 0;         // bytes in blocks_
  const int64_t environment_slack_ = slack_from_environment();
  int64_t slack_ = environment_slack_ >= 0 ? environment_slack_ : kDefaultSlack;
  BlockCacheStats stats_;
};

// Never destroyed: a static tensor may free its block after every other static is gone.
BlockCache& cache() {
  static BlockCache* instance = new BlockCache;
  return *instance;
}

void* map_pages(int64_t length) {
  void* data = ::mmap(nullptr, static_cast<size_t>(length), PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return data == MAP_FAILED ? nullptr : data;
}

bool mapped(int64_t bytes) { return kMapBlocks && bytes >= kMappedFrom; }

}  // namespace

void* allocate_block(int64_t bytes) {
  const auto size = static_cast<size_t>(bytes);
  if (!mapped(bytes)) return ::operator new[](size, kAlignment);
  const int64_t length = mapped_length(bytes);
  if (void* data = cache().take(length, live_tensor_bytes())) return data;
  void* data = map_pages(length);
  if (data == nullptr) {  // the cache's blocks may be what stands in the way
    release_cached_blocks();
    data = map_pages(length);
  }
  if (data == nullptr) throw std::bad_alloc();
  return data;
}

void free_block(void* data, int64_t bytes) {
  if (!mapped(bytes)) {
    ::operator delete[](data, kAlignment);
    return;
  }
  cache().keep({data, mapped_length(bytes)}, live_tensor_bytes() - bytes);
}

bool blocks_are_cached() { return kMapBlocks; }

BlockCacheStats block_cache_stats() { return kMapBlocks ? cache().stats() : BlockCacheStats{}; }

void set_block_cache_slack(int64_t bytes) {
  if (kMapBlocks) cache().set_slack(std::max<int64_t>(0, bytes));
}

int64_t block_cache_slack() { return kMapBlocks ? cache().slack() : 0; }

void release_cached_blocks() {
  if (kMapBlocks) cache().release_all();
}

}  // namespace attn
