// Reductions: sum, mean, max and argmax over one dimension or over everything.
//
//   sum(x, dim)[..., j, ...] = sum_i x[..., i, j, ...]      (dim removed, or kept as size 1)
//
// sum_to(x, shape) is the adjoint of broadcasting: when y = broadcast(x) repeats x along some
// dimensions, dL/dx sums dL/dy over exactly those dimensions. Every broadcasting op's backward
// ends with it.
#pragma once

#include "tensor/tensor.h"

namespace attn {

Tensor sum(const Tensor& x);                                // shape []
Tensor sum(const Tensor& x, int dim, bool keepdim = false);
Tensor mean(const Tensor& x);                               // shape []
Tensor mean(const Tensor& x, int dim, bool keepdim = false);
Tensor max(const Tensor& x, int dim, bool keepdim = false);
// Index of the largest element along dim (the first one on ties), as whole numbers.
Tensor argmax(const Tensor& x, int dim, bool keepdim = false);

// True when no element is inf or NaN (how a trainer checks weights before it saves them).
bool all_finite(const Tensor& x);

// values[0] + ... + values[n-1] in double, in a fixed order: eight interleaved partial sums
// (values i, i+8, i+16, ... for i < 8), added pairwise at the end. Kernels use it for row sums.
double sum_in_double(const real* values, int64_t n);

// Sums x down to `shape`, which x's shape must broadcast from (the adjoint of expand).
// When x already has that shape, x itself comes back, not a copy.
Tensor sum_to(const Tensor& x, const Shape& shape);

}  // namespace attn
