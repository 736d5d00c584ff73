// A cache of freed tensor buffers, handed out again instead of fresh memory.
//
// A training step allocates and frees the same large buffers every step: activations, their
// gradients, the [N, V] logits. Memory that comes fresh from the operating system arrives one
// zeroed 4 KiB page at a time, each on a page fault, and a buffer freed back to it goes away
// again; for a small Transformer that was a sixth of every step. So, as PyTorch's caching
// allocators do, freed buffers wait in a cache, one list per size class, for the next request
// of their class:
//
//   size class  = bytes rounded up to 1/8 of their power of two  (at most 12.5% unused)
//   acquire(n)  = a cached buffer of class(n) if there is one, else new memory
//   release(p)  = back into the cache, unless the cache would then hold more than the most
//                 memory ever in use at once (the peak): then freed
//
// Buffers under 4 KiB skip the cache (malloc already recycles small blocks well), and under
// AddressSanitizer nothing is cached, so that a use after free is still caught.
#pragma once

#include <cstddef>

namespace attn {

// At least `bytes` bytes, 64-byte aligned (one cache line, one AVX-512 register).
void* acquire_buffer(std::size_t bytes);
// Gives back a buffer from acquire_buffer; `bytes` is the size it was acquired with.
void release_buffer(void* buffer, std::size_t bytes);

// Bytes now waiting in the cache, and a way to hand all of them back to the system.
std::size_t cached_buffer_bytes();
void free_cached_buffers();

}  // namespace attn
