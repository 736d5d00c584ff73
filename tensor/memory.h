// Memory for tensor data: how much is live, the most there has been, and the limit no
// allocation may cross.
//
// Every tensor's values live in a Storage (tensor.h); allocating one reserves its bytes here
// first. A request that would take the live total past the limit is refused with one line that
// says what was asked for:
//   Tensor: out of memory: [16384,16384] needs 1.0 GiB; 22.8 GiB of tensors are live, the limit
//   is 23.4 GiB
// rather than left to the operating system, which may grant it (overcommit) and kill the
// process later, with no message, when the pages are touched. The limit is the machine's
// physical memory, or ATTN_MEMORY_LIMIT_MIB (in MiB) when that is set.
#pragma once

#include <cstdint>
#include <string>

#include "tensor/shape.h"

namespace attn {

int64_t live_tensor_bytes();   // bytes of tensor storage allocated and not yet freed
int64_t peak_tensor_bytes();   // the most live_tensor_bytes() has been
int64_t tensor_memory_limit(); // the limit, in bytes

// Counts `bytes` as live, or throws the out-of-memory error above naming `shape`.
void reserve_tensor_bytes(int64_t bytes, const Shape& shape);
void release_tensor_bytes(int64_t bytes);

// "1.0 GiB", "512 MiB", "3.2 KiB", "12 bytes".
std::string byte_size_text(double bytes);

}  // namespace attn
