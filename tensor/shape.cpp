// Shapes, strides and broadcasting (see shape.h for the rules).
#include "tensor/shape.h"

#include <algorithm>
#include <limits>

#include "tensor/error.h"

namespace attn {

std::string to_string(const Shape& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ",";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

// a * b for sizes a, b >= 0, or an error naming the shape when it passes 2^63 - 1.
static int64_t checked_product(int64_t a, int64_t b, const Shape& shape) {
  if (b != 0 && a > std::numeric_limits<int64_t>::max() / b)
    throw Error("shape " + to_string(shape) + " has more elements than a 64-bit count holds");
  return a * b;
}

int64_t numel(const Shape& shape) {
  for (int64_t size : shape)
    if (size == 0) return 0;
  int64_t count = 1;
  for (int64_t size : shape) count = checked_product(count, size, shape);
  return count;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride = checked_product(stride, shape[i], shape);
  }
  return strides;
}

Shape broadcast_shapes(const std::string& op, const Shape& a, const Shape& b) {
  const size_t ndim = std::max(a.size(), b.size());
  Shape out(ndim);
  for (size_t i = 0; i < ndim; ++i) {
    // Align at the right: dimension i of the result is a's (a.size() - ndim + i).
    const int64_t size_a = i + a.size() >= ndim ? a[i + a.size() - ndim] : 1;
    const int64_t size_b = i + b.size() >= ndim ? b[i + b.size() - ndim] : 1;
    check(size_a == size_b || size_a == 1 || size_b == 1, op, [&] {
      return to_string(a) + " and " + to_string(b) + ": sizes " + std::to_string(size_a) + " and " +
             std::to_string(size_b) + " cannot be broadcast";
    });
    out[i] = size_a == 1 ? size_b : size_a;
  }
  return out;
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != to[lead + i] && from[i] != 1) return false;
  return true;
}

int normalize_dim(const std::string& op, int dim, int ndim) {
  const int normalized = dim < 0 ? dim + ndim : dim;
  check(normalized >= 0 && normalized < ndim, op, [&] {
    return "dimension " + std::to_string(dim) + " is out of range for a tensor with " +
           std::to_string(ndim) + " dimensions";
  });
  return normalized;
}

}  // namespace attn
