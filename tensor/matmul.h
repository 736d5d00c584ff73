// Matrix multiplication with batched broadcasting, as torch.matmul.
//
//   C[m, n] = sum_k A[m, k] * B[k, n]
//
// Shapes: [M,K] @ [K,N] -> [M,N]; leading (batch) dimensions broadcast:
// [B,H,T,E] @ [B,H,E,S] -> [B,H,T,S], and [B,T,D] @ [D,F] -> [B,T,F]. A 1-d operand is not
// promoted: both must have at least 2 dimensions.
//
// Transposed operands are read through their strides, never copied: q @ k.transpose(-1, -2)
// feeds the kernel k's rows as columns. The heavy lifting is gemm.h's blocked kernel (or BLIS
// when built with it), batches spread over the thread pool.
#pragma once

#include "tensor/tensor.h"

namespace attn {

Tensor matmul(const Tensor& a, const Tensor& b);

// out = a @ b, or out += a @ b when `accumulate`, for matrices a [m, k], b [k, n] and an existing
// out [m, n] whose rows are contiguous (out is a handle: the caller's tensor receives the
// result). The product without allocating, for loops that multiply into the same buffers time
// after time, such as the steps of a recurrent layer.
void matmul_into(const Tensor& a, const Tensor& b, Tensor out, bool accumulate = false);

// The GEMM back end in use: "attn" (our kernel) or "blis".
const char* matmul_backend();

}  // namespace attn
