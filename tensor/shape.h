// Shapes, strides and broadcasting: the arithmetic of N-d arrays, with no data attached.
//
// A tensor of shape [d0, d1, ..., dn-1] stored row-major has strides (in elements)
//   stride[n-1] = 1,  stride[i] = stride[i+1] * d[i+1]
// and element (i0, ..., in-1) lives at  offset + sum_k i_k * stride[k].
//
// Broadcasting follows NumPy: align shapes at the right; two sizes are compatible when they are
// equal or one of them is 1; the result takes the larger. [4,1,3] with [2,1] gives [4,2,3].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

using Shape = std::vector<int64_t>;

// "[2,3,4]": the form every error message uses.
std::string to_string(const Shape& shape);

// Product of the sizes; 1 for a scalar shape []. Throws, naming the shape, when the product
// does not fit in 64 bits (a hostile file's shape must not wrap around to a small count).
int64_t numel(const Shape& shape);

// Row-major strides of a freshly allocated tensor of this shape (checked like numel).
Shape contiguous_strides(const Shape& shape);

// The shape of `a op b` under broadcasting; throws naming `op` and both shapes when they clash.
Shape broadcast_shapes(const std::string& op, const Shape& a, const Shape& b);

// True when a tensor of shape `from` broadcasts to `to` without changing `to`: [B, 1, 1, S] and
// [1, 1, T, S] both broadcast to [B, H, T, S].
bool broadcasts_to(const Shape& from, const Shape& to);

// Turns a possibly negative dimension (-1 = last) into 0..ndim-1; throws naming `op` otherwise.
int normalize_dim(const std::string& op, int dim, int ndim);

}  // namespace attn
