// Where large tensors get their memory: pages mapped for them alone, and a small cache of freed
// blocks that the next tensor of the same size reuses.
//
// Why not malloc? Training makes and frees the same large tensors every step (activations in the
// forward, their gradients in the backward). glibc serves a request above its mmap threshold with
// fresh pages and unmaps them on free; but each such free *raises* the threshold to the freed
// size, so from then on blocks of tens of MiB come from the heap, where freed holes between live
// blocks stay resident. The `small` Transformer's live tensors peak at 363 MiB while the process
// holds 518 MiB. Mapping each large block on its own returns every freed byte at once, and
// caching a few freed blocks saves the cost of mapping and zeroing pages again:
//
//   allocate(n):  a cached block of n's size class (n rounded up by at most 1/8) if there is
//                 one, else map one
//   free(p, n):   keep p in the cache; past the cache's budget, unmap the oldest blocks
//
// The same idea as PyTorch's caching allocator for GPUs (Paszke et al. 2019, §5.3), with a
// budget: here the cache must not become the memory it was meant to save.
//
// Blocks below kMappedFrom bytes come from operator new (a page per small tensor would waste
// most of it). Under AddressSanitizer every block comes from operator new, so that its checks
// (overflows, use after free) see tensors too.
#pragma once

#include <cstdint>

namespace attn {

// Bytes from which a block is mapped rather than taken from the heap.
constexpr int64_t kMappedFrom = int64_t{128} << 10;

// A block of at least `bytes` bytes, aligned to 64 bytes; throws std::bad_alloc when the system
// has no more. The cache's budget reads the live count of memory.h: a Storage reserves its bytes
// there before it calls allocate_block, and releases them after free_block.
void* allocate_block(int64_t bytes);
// Gives back a block from allocate_block(bytes).
void free_block(void* data, int64_t bytes);

// False under AddressSanitizer: every block then comes from operator new, and none is cached.
bool blocks_are_cached();

struct BlockCacheStats {
  int64_t cached_bytes = 0;  // freed blocks kept for reuse
  int64_t hits = 0;          // mapped-size requests served from the cache
  int64_t misses = 0;        // ... that had to map new pages
};
BlockCacheStats block_cache_stats();

// The slack of the cache's bound (block_cache.cpp): 16 MiB unless a program sets another. A
// step whose backward asks for blocks of other sizes than its forward freed (a convolution's
// weight-gradient partials, its im2col buffers) finds them again only if the cache may hold
// them while the forward's activations are live; with too small a slack it unmaps and maps them
// every step. ATTN_BLOCK_CACHE_MIB (in MiB), when set, wins over what a program sets.
void set_block_cache_slack(int64_t bytes);
int64_t block_cache_slack();

// Unmaps every cached block.
void release_cached_blocks();

}  // namespace attn
