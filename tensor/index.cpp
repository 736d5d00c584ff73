// Indexing by tensors of indices, and the scatter-adds that are their adjoints (see index.h).
//
//   index_select(x, d, idx)[a, k.., b] = x[a, idx[k..], b]        a: dims before d, b: dims after
//   index_add(shape, d, idx, g)[a, idx[k..], b] += g[a, k.., b]
//   gather(x, d, idx)[a, k, b]  = x[a, idx[a, k, b], b]           (torch.gather)
//   scatter_add(shape, d, idx, g)[a, idx[a, k, b], b] += g[a, k, b]  (torch.scatter_add)
// Each pair is adjoint: <index_select(x), g> = <x, index_add(g)>, so one is the other's backward.
//
// Every kernel sees a contiguous tensor as [outer, n, inner] around dimension d: element
// (a, i, b) sits at (a * n + i) * inner + b. An index moves along the middle.
//
// Indices are reals holding whole numbers (real.h). Every one is checked before anything is
// read or written: NaN, infinities, fractions, negatives and values >= n all throw, naming
// the op, the value and the size, so no input can index out of bounds.
#include "tensor/index.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "tensor/error.h"

namespace attn {

namespace {

// The [outer, n, inner] view of a shape around dimension d.
struct Around {
  int64_t outer = 1, n = 1, inner = 1;
};

Around around(const Shape& shape, int d) {
  Around a;
  for (int i = 0; i < d; ++i) a.outer *= shape[i];
  a.n = shape[d];
  for (size_t i = d + 1; i < shape.size(); ++i) a.inner *= shape[i];
  return a;
}

// A real as an error message shows it: 3, -1, 2.5, nan, inf.
std::string format(real value) {
  std::ostringstream text;
  text.precision(std::numeric_limits<real>::max_digits10);
  text << value;
  return text.str();
}

// Every index in `indices` (row-major) as an integer in [0, size); throws on the first that is
// not a whole number in that range. The checks run in this order so that NaN fails the first
// (every comparison with NaN is false) and the cast to int64_t only ever sees a value in range.
std::vector<int64_t> read_indices(const std::string& op, const Tensor& indices, int d,
                                  int64_t size) {
  check(indices.defined(), op, "indices are undefined");
  std::vector<int64_t> out;
  out.reserve(indices.numel());
  // The messages are built only on failure: this loop runs for every token of every batch.
  for (real value : indices.to_vector()) {
    if (value != std::floor(value))
      throw Error(op + ": index " + format(value) + " is not a whole number (dimension " +
                  std::to_string(d) + " has size " + std::to_string(size) + ")");
    if (!(value >= 0 && double(value) < double(size)))
      throw Error(op + ": index " + format(value) + " is out of range for dimension " +
                  std::to_string(d) + " of size " + std::to_string(size));
    out.push_back(static_cast<int64_t>(value));
  }
  return out;
}

// x.shape with dimension d replaced by `middle`: [a.., middle.., b..].
Shape splice(const Shape& shape, int d, const Shape& middle) {
  Shape out(shape.begin(), shape.begin() + d);
  out.insert(out.end(), middle.begin(), middle.end());
  out.insert(out.end(), shape.begin() + d + 1, shape.end());
  return out;
}

// Throws unless `indices` fits `shape` as gather/scatter_add need: same number of dimensions,
// same sizes outside d (PyTorch allows smaller ones; attn asks for equal, which its ops use).
void check_gather_indices(const std::string& op, const char* what, const Shape& shape, int d,
                          const Tensor& indices) {
  check(indices.defined(), op, "indices are undefined");
  check(indices.ndim() == static_cast<int>(shape.size()), op, [&] {
    return "indices " + to_string(indices.shape()) + " must have as many dimensions as " + what +
           " " + to_string(shape);
  });
  Shape expected = shape;
  expected[d] = indices.shape()[d];
  check(indices.shape() == expected, op, [&] {
    return "indices " + to_string(indices.shape()) + " must match " + what + " " +
           to_string(shape) + " in every dimension but " + std::to_string(d);
  });
}

// Throws unless `source` has the shape the scatter writes from.
void check_source(const std::string& op, const Tensor& source, const Shape& expected) {
  check(source.defined() && source.shape() == expected, op, [&] {
    return "source " + (source.defined() ? to_string(source.shape()) : "(undefined)") +
           " must be " + to_string(expected);
  });
}

}  // namespace

// ---- index_select and index_add ---------------------------------------------------------------

Tensor index_select(const Tensor& x_in, int dim, const Tensor& indices) {
  const std::string op = "index_select";
  check(x_in.defined(), op, "x is undefined");
  const int d = normalize_dim(op, dim, x_in.ndim());
  const Around a = around(x_in.shape(), d);
  const std::vector<int64_t> idx = read_indices(op, indices, d, a.n);
  const int64_t K = static_cast<int64_t>(idx.size());

  const Tensor x = x_in.contiguous();                 // [outer, n, inner]
  Tensor out(splice(x.shape(), d, indices.shape()));  // [outer, K, inner]
  const real* xs = x.data();
  real* ys = out.data();
  // Each index copies one run of `inner` elements: a whole embedding row when d = 0.
  for (int64_t o = 0; o < a.outer; ++o)
    for (int64_t k = 0; k < K; ++k) {
      const real* from = xs + (o * a.n + idx[k]) * a.inner;
      std::copy(from, from + a.inner, ys + (o * K + k) * a.inner);
    }
  return out;
}

// In the forward pass row idx[k] of x was copied to row k of the output, so now row k of the
// gradient adds into row idx[k]: a row selected twice receives both gradients.
Tensor index_add(const Shape& shape, int dim, const Tensor& indices, const Tensor& source_in) {
  const std::string op = "index_add";
  const int d = normalize_dim(op, dim, static_cast<int>(shape.size()));
  Tensor out(shape);  // [outer, n, inner]
  const Around a = around(shape, d);
  const std::vector<int64_t> idx = read_indices(op, indices, d, a.n);
  const int64_t K = static_cast<int64_t>(idx.size());
  check_source(op, source_in, splice(shape, d, indices.shape()));

  const Tensor source = source_in.contiguous();  // [outer, K, inner]
  const real* gs = source.data();
  real* xs = out.data();
  for (int64_t o = 0; o < a.outer; ++o)
    for (int64_t k = 0; k < K; ++k) {
      const real* from = gs + (o * K + k) * a.inner;
      real* to = xs + (o * a.n + idx[k]) * a.inner;
      for (int64_t b = 0; b < a.inner; ++b) to[b] += from[b];
    }
  return out;
}

// ---- gather and scatter_add -------------------------------------------------------------------

Tensor gather(const Tensor& x_in, int dim, const Tensor& indices_in) {
  const std::string op = "gather";
  check(x_in.defined(), op, "x is undefined");
  const int d = normalize_dim(op, dim, x_in.ndim());
  check_gather_indices(op, "x", x_in.shape(), d, indices_in);
  const Around a = around(x_in.shape(), d);
  const std::vector<int64_t> idx = read_indices(op, indices_in, d, a.n);  // [outer, K, inner]
  const int64_t K = indices_in.shape()[d];

  const Tensor x = x_in.contiguous();  // [outer, n, inner]
  Tensor out(indices_in.shape());      // [outer, K, inner]
  const real* xs = x.data();
  real* ys = out.data();
  for (int64_t o = 0; o < a.outer; ++o)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t b = 0; b < a.inner; ++b) {
        const int64_t at = (o * K + k) * a.inner + b;
        ys[at] = xs[(o * a.n + idx[at]) * a.inner + b];
      }
  return out;
}

// In the forward pass out[a, k, b] was x[a, idx[a, k, b], b], so now the gradient at (a, k, b)
// adds into x's gradient at (a, idx[a, k, b], b); an element gathered twice gets both.
Tensor scatter_add(const Shape& shape, int dim, const Tensor& indices_in, const Tensor& source_in) {
  const std::string op = "scatter_add";
  const int d = normalize_dim(op, dim, static_cast<int>(shape.size()));
  Tensor out(shape);  // [outer, n, inner]
  check_gather_indices(op, "shape", shape, d, indices_in);
  check_source(op, source_in, indices_in.shape());
  const Around a = around(shape, d);
  const std::vector<int64_t> idx = read_indices(op, indices_in, d, a.n);  // [outer, K, inner]
  const int64_t K = indices_in.shape()[d];

  const Tensor source = source_in.contiguous();  // [outer, K, inner]
  const real* gs = source.data();
  real* xs = out.data();
  for (int64_t o = 0; o < a.outer; ++o)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t b = 0; b < a.inner; ++b) {
        const int64_t at = (o * K + k) * a.inner + b;
        xs[(o * a.n + idx[at]) * a.inner + b] += gs[at];
      }
  return out;
}

}  // namespace attn
