// Reductions: sum, mean, max, argmax, and sum_to, the adjoint of broadcasting (see reduce.h).
//
// A reduction over dimension d sees x as three nested loops [outer, n, inner]:
//   outer = product of the sizes before d,  n = size of d,  inner = product of the sizes after d
//   sum(x, d)[o, k] = sum_{i < n} x[o, i, k]
// Walking i in the middle and k innermost reads x in memory order for every d, so summing a
// [B*T, D] gradient down to a [D] bias gradient is as cache-friendly as summing a row.
//
// Sums accumulate in double and always in the same order, so a float32 sum of 10^6 terms keeps
// ~7 good digits and the same inputs give the same bits every run. A contiguous run is summed
// as eight interleaved partial sums (sum_in_double), which the CPU overlaps instead of waiting
// for each addition before the next.
#include "tensor/reduce.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "tensor/error.h"

namespace attn {

namespace {

void check_defined(const std::string& op, const Tensor& x) {
  check(x.defined(), op, "tensor is undefined");
}

// x's shape around dimension d, as the three loops of a reduction.
struct Split {
  int64_t outer = 1, n = 1, inner = 1;
};

Split split_at(const Shape& shape, int d) {
  Split s;
  for (int i = 0; i < d; ++i) s.outer *= shape[i];
  s.n = shape[d];
  for (size_t i = d + 1; i < shape.size(); ++i) s.inner *= shape[i];
  return s;
}

// The shape after reducing dimension d: removed, or kept as size 1.
Shape reduced_shape(Shape shape, int d, bool keepdim) {
  if (keepdim) {
    shape[d] = 1;
  } else {
    shape.erase(shape.begin() + d);
  }
  return shape;
}

void check_not_empty(const std::string& op, const Tensor& x, int d) {
  check(x.size(d) > 0, op, [&] {
    return "dimension " + std::to_string(d) + " of " + to_string(x.shape()) + " is empty";
  });
}


// out[o, k] = sum_i x[o, i, k] / divisor, accumulated in double.
Tensor sum_along(const std::string& op, const Tensor& x, int dim, bool keepdim, double divisor) {
  check_defined(op, x);
  const int d = normalize_dim(op, dim, x.ndim());
  const Split s = split_at(x.shape(), d);
  const Tensor dense = x.contiguous();
  Tensor out(reduced_shape(x.shape(), d, keepdim));
  const real* in = dense.data();
  real* o = out.data();
  if (s.inner == 1) {  // summing rows, e.g. over the last dimension: one run per output
    for (int64_t a = 0; a < s.outer; ++a)
      o[a] = static_cast<real>(sum_in_double(in + a * s.n, s.n) / divisor);
    return out;
  }
  std::vector<double> acc(s.inner);
  for (int64_t a = 0; a < s.outer; ++a) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t i = 0; i < s.n; ++i) {
      const real* row = in + (a * s.n + i) * s.inner;
      for (int64_t k = 0; k < s.inner; ++k) acc[k] += row[k];
    }
    for (int64_t k = 0; k < s.inner; ++k) o[a * s.inner + k] = static_cast<real>(acc[k] / divisor);
  }
  return out;
}

// The sum of every element of x, in row-major order, in double.
double sum_all(const Tensor& x) {
  if (x.is_contiguous()) return sum_in_double(x.data(), x.numel());
  double total = 0;
  const real* in = x.data();
  for_each_offset(x.shape(), x.strides(), [&](int64_t offset) { total += in[offset]; });
  return total;
}

// The largest value along dim and the index of its first occurrence.
std::pair<Tensor, Tensor> max_along(const std::string& op, const Tensor& x, int dim,
                                    bool keepdim) {
  check_defined(op, x);
  const int d = normalize_dim(op, dim, x.ndim());
  check_not_empty(op, x, d);
  const Split s = split_at(x.shape(), d);
  const Tensor dense = x.contiguous();
  const Shape shape = reduced_shape(x.shape(), d, keepdim);
  Tensor values(shape), indices(shape);
  const real* in = dense.data();
  real* best = values.data();
  real* where = indices.data();
  for (int64_t a = 0; a < s.outer; ++a) {
    real* best_row = best + a * s.inner;
    real* where_row = where + a * s.inner;
    std::copy(in + a * s.n * s.inner, in + (a * s.n + 1) * s.inner, best_row);  // i = 0
    for (int64_t i = 1; i < s.n; ++i) {
      const real* row = in + (a * s.n + i) * s.inner;
      for (int64_t k = 0; k < s.inner; ++k) {
        if (row[k] > best_row[k]) {  // strictly greater: the first maximum wins ties
          best_row[k] = row[k];
          where_row[k] = static_cast<real>(i);
        }
      }
    }
  }
  return {values, indices};
}

}  // namespace

bool all_finite(const Tensor& x) {
  check_defined("all_finite", x);
  const Tensor values = x.contiguous();
  const real* v = values.data();
  bool finite = true;
  for (int64_t i = 0; i < values.numel(); ++i) finite &= std::isfinite(v[i]);
  return finite;
}

double sum_in_double(const real* values, int64_t n) {
  double partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) partial[k] += values[i + k];
  for (int k = 0; i < n; ++i, ++k) partial[k] += values[i];
  return ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
         ((partial[4] + partial[5]) + (partial[6] + partial[7]));
}

// ---- sum and mean -----------------------------------------------------------------------------

Tensor sum(const Tensor& x) {
  check_defined("sum", x);
  return Tensor::scalar(static_cast<real>(sum_all(x)));
}

Tensor sum(const Tensor& x, int dim, bool keepdim) { return sum_along("sum", x, dim, keepdim, 1); }

Tensor mean(const Tensor& x) {
  check_defined("mean", x);
  check(x.numel() > 0, "mean",
        [&] { return "tensor " + to_string(x.shape()) + " has no elements"; });
  return Tensor::scalar(static_cast<real>(sum_all(x) / static_cast<double>(x.numel())));
}

Tensor mean(const Tensor& x, int dim, bool keepdim) {
  check_defined("mean", x);
  const int d = normalize_dim("mean", dim, x.ndim());
  check_not_empty("mean", x, d);
  return sum_along("mean", x, d, keepdim, static_cast<double>(x.size(d)));
}

// ---- max and argmax ---------------------------------------------------------------------------

Tensor max(const Tensor& x, int dim, bool keepdim) {
  return max_along("max", x, dim, keepdim).first;
}

Tensor argmax(const Tensor& x, int dim, bool keepdim) {
  return max_along("argmax", x, dim, keepdim).second;
}

// ---- the adjoint of broadcasting --------------------------------------------------------------

// Broadcasting to x's shape did two things to `shape`: prepended dimensions, and repeated the
// size-1 ones. Undo both: sum the leading dimensions away (as one, flattened), then sum each
// stretched dimension with keepdim. When there is nothing to sum, x itself comes back (no copy):
// gradients are never written in place, so sharing them is safe.
Tensor sum_to(const Tensor& x, const Shape& shape) {
  check_defined("sum_to", x);
  check(broadcasts_to(shape, x.shape()), "sum_to", [&] {
    return "cannot sum " + to_string(x.shape()) + " down to " + to_string(shape) +
           ", which does not broadcast to it";
  });
  const size_t lead = x.shape().size() - shape.size();
  Tensor y = x;
  if (lead > 0) {
    Shape flat(x.shape().begin() + lead - 1, x.shape().end());  // [lead product, rest...]
    flat[0] = numel(Shape(x.shape().begin(), x.shape().begin() + lead));
    y = sum(x.contiguous().view(flat), 0);  // shape[...] now == x.shape()[lead...]
  }
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1 && y.size(static_cast<int>(i)) != 1)
      y = sum(y, static_cast<int>(i), /*keepdim=*/true);
  }
  return y;
}

}  // namespace attn
