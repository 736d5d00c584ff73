// Indexing by tensors of indices, and the scatter-adds that are their adjoints.
//
//   index_select(x, dim, idx)[.., i, ..] = x[.., idx[i], ..]        (embedding lookup: dim 0)
//   index_add(shape, dim, idx, g)[.., idx[i], ..] += g[.., i, ..]   (its adjoint)
//   gather(x, dim, idx)[i][j] = x[i][idx[i][j]]                      (dim = 1, 2-d case)
//   scatter_add(shape, dim, idx, g)[i][idx[i][j]] += g[i][j]          (its adjoint)
// Indices are whole numbers stored as reals (real.h); each is checked against the size of dim.
// index_select accepts an index tensor of any shape: the result has x's shape with dimension dim
// replaced by idx's shape, so a [B,T] tensor of token ids selects rows of a [V,D] table as [B,T,D].
#pragma once

#include "tensor/tensor.h"

namespace attn {

Tensor index_select(const Tensor& x, int dim, const Tensor& indices);
Tensor index_add(const Shape& shape, int dim, const Tensor& indices, const Tensor& source);

// gather/scatter_add: indices has x's number of dimensions and, outside dim, x's sizes.
Tensor gather(const Tensor& x, int dim, const Tensor& indices);
Tensor scatter_add(const Shape& shape, int dim, const Tensor& indices, const Tensor& source);

}  // namespace attn
