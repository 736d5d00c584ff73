// Elementwise kernels: each op is one line on top of two generic maps (see elementwise.h).
//
//   unary:   y[i] = f(x[i])
//   binary:  z[i] = f(a[i'], b[i''])  where i', i'' are i with broadcast dimensions pinned to 0
//
// Broadcasting follows NumPy (shape.h): Tensor::expand gives a size-1 dimension stride 0, so the
// same element is read again for every position along it. Two layouts get a plain loop that the
// compiler vectorises: both operands dense with one shape, and "[..., D] op [D]" (a bias row added
// to every position); everything else walks row by row with for_each_offset (tensor.h), striding
// within each row.
//
// GELU (Hendrycks & Gimpel 2016), exact form, with Phi/phi the standard normal CDF/density:
//   gelu(x)  = x * Phi(x),           Phi(x) = (1 + erf(x / sqrt(2))) / 2
//   gelu'(x) = Phi(x) + x * phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
#include "tensor/elementwise.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "tensor/error.h"
#include "tensor/thread_pool.h"

namespace attn {

namespace {

void check_defined(const std::string& op, const Tensor& x) {
  check(x.defined(), op, "tensor is undefined");
}

// ---- the two generic maps ---------------------------------------------------------------------

// Elements per parallel chunk: below this, handing work to another thread costs more than it saves.
constexpr int64_t kGrain = 1 << 15;
// The same for a libm function (exp, log, tanh, ...), tens of times dearer than an addition: the
// 12,288 tanh of an additive score's step (S 24 x A 512) are then shared by the threads.
constexpr int64_t kCostlyGrain = 1 << 11;

// y[i] = f(x[i]) into a new contiguous tensor.
template <typename F>
Tensor map_unary(const std::string& op, const Tensor& x, F f, int64_t grain = kGrain) {
  check_defined(op, x);
  Tensor y = Tensor::empty(x.shape());
  real* out = y.data();
  const real* in = x.data();
  if (x.is_contiguous()) {
    parallel_for(x.numel(), grain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) out[i] = f(in[i]);
    });
  } else {
    for_each_offset(x.shape(), x.strides(), [&](int64_t offset) { *out++ = f(in[offset]); });
  }
  return y;
}

// Calls visit(row, stride, width) for each row (last dimension) of t, in row-major order, where
// row[j * stride] is element j. Walking rows rather than elements keeps the odometer of
// for_each_offset out of the inner loop; a broadcast row has stride 0. Needs t.ndim() >= 1.
template <typename Visit>
void for_each_row(const Tensor& t, Visit visit) {
  const Shape rows(t.shape().begin(), t.shape().end() - 1);
  const Shape row_strides(t.strides().begin(), t.strides().end() - 1);
  const real* base = t.data();
  const int64_t stride = t.strides().back(), width = t.shape().back();
  for_each_offset(rows, row_strides, [&](int64_t offset) { visit(base + offset, stride, width); });
}

// True when `t` is one dense row that repeats along the leading dimensions of `shape`:
// [D] or [1, D] against [B, T, D]. A dense tensor of exactly `shape` is the one-row case.
bool is_row_of(const Tensor& t, const Shape& shape) {
  if (!t.is_contiguous()) return false;
  const Shape& own = t.shape();
  size_t first = 0;  // leading 1s change nothing about the layout
  while (first < own.size() && own[first] == 1) ++first;
  const size_t width_dims = own.size() - first;
  if (width_dims > shape.size()) return false;
  for (size_t i = 0; i < width_dims; ++i)
    if (own[first + i] != shape[shape.size() - width_dims + i]) return false;
  return true;
}

// out[r + j] = f(full[r + j], row[j]) for each row start r: the vectorisable fast path, with
// rows spread over threads (each element is computed alone, so the split changes nothing).
template <typename F>
void map_rows(real* out, const real* full, const real* row, int64_t count, int64_t width, F f) {
  parallel_for(count / width, std::max<int64_t>(1, kGrain / width), [&](int64_t begin, int64_t end) {
    if (width == 1) {  // a scalar operand: one flat loop, not rows of one
      const real value = row[0];
      for (int64_t i = begin; i < end; ++i) out[i] = f(full[i], value);
      return;
    }
    for (int64_t r = begin * width; r < end * width; r += width)
      for (int64_t j = 0; j < width; ++j) out[r + j] = f(full[r + j], row[j]);
  });
}

// z = f(a, b) with a and b broadcast to a common shape, into a new contiguous tensor.
template <typename F>
Tensor map_binary(const std::string& op, const Tensor& a, const Tensor& b, F f) {
  check_defined(op, a);
  check_defined(op, b);
  const Shape shape = broadcast_shapes(op, a.shape(), b.shape());
  Tensor z = Tensor::empty(shape);
  const int64_t count = z.numel();
  if (count == 0) return z;
  real* out = z.data();
  const bool a_full = a.shape() == shape && a.is_contiguous();
  const bool b_full = b.shape() == shape && b.is_contiguous();
  if (a_full && is_row_of(b, shape)) {
    map_rows(out, a.data(), b.data(), count, b.numel(), f);
  } else if (b_full && is_row_of(a, shape)) {
    map_rows(out, b.data(), a.data(), count, a.numel(),
             [&f](real full, real row) { return f(row, full); });
  } else {
    // Two strided walks in the same row-major order: copy a's values, then combine with b's.
    // (shape is not [] here: two scalars always take the first branch.)
    real* next = out;
    for_each_row(a.expand(shape), [&](const real* row, int64_t stride, int64_t width) {
      for (int64_t j = 0; j < width; ++j) next[j] = row[j * stride];
      next += width;
    });
    next = out;
    for_each_row(b.expand(shape), [&](const real* row, int64_t stride, int64_t width) {
      for (int64_t j = 0; j < width; ++j) next[j] = f(next[j], row[j * stride]);
      next += width;
    });
  }
  return z;
}

// ---- scalar helpers for the unary ops ---------------------------------------------------------

// Constants in `real`, so that the whole computation stays in the build's precision.
constexpr real kInvSqrt2 = real(0.70710678118654752440);    // 1 / sqrt(2)
constexpr real kInvSqrt2Pi = real(0.39894228040143267794);  // 1 / sqrt(2 pi)

real normal_cdf(real x) { return real(0.5) * (1 + std::erf(x * kInvSqrt2)); }
real normal_pdf(real x) { return kInvSqrt2Pi * std::exp(real(-0.5) * x * x); }

// Never exponentiates a large positive number, so neither branch overflows to inf/inf.
real stable_sigmoid(real x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const real e = std::exp(x);
  return e / (1 + e);
}

// log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): the exponent is never positive, so nothing
// overflows, and log1p keeps the small tail exact.
real stable_softplus(real x) { return std::max(x, real(0)) + std::log1p(std::exp(-std::abs(x))); }

}  // namespace

// ---- unary ------------------------------------------------------------------------------------

Tensor neg(const Tensor& x) { return map_unary("neg", x, [](real v) { return -v; }); }
Tensor exp(const Tensor& x) {
  return map_unary("exp", x, [](real v) { return std::exp(v); }, kCostlyGrain);
}
Tensor log(const Tensor& x) {
  return map_unary("log", x, [](real v) { return std::log(v); }, kCostlyGrain);
}
Tensor sqrt(const Tensor& x) { return map_unary("sqrt", x, [](real v) { return std::sqrt(v); }); }
Tensor tanh(const Tensor& x) {
  return map_unary("tanh", x, [](real v) { return std::tanh(v); }, kCostlyGrain);
}
Tensor sigmoid(const Tensor& x) { return map_unary("sigmoid", x, stable_sigmoid, kCostlyGrain); }
Tensor softplus(const Tensor& x) {
  return map_unary("softplus", x, stable_softplus, kCostlyGrain);
}
// NaN < 0 is false, so a NaN passes through and a diverging run stays visible.
Tensor relu(const Tensor& x) {
  return map_unary("relu", x, [](real v) { return v < 0 ? real(0) : v; });
}
// dL/dx = dL/dy * [x > 0], read off y since y > 0 exactly where x > 0: one pass, no mask tensor.
Tensor relu_backward(const Tensor& grad_y, const Tensor& y) {
  check_defined("relu_backward", grad_y);
  check_defined("relu_backward", y);
  check(grad_y.shape() == y.shape(), "relu_backward", [&] {
    return "grad_y " + to_string(grad_y.shape()) + " must have the shape of y " +
           to_string(y.shape());
  });
  return map_binary("relu_backward", grad_y, y, [](real g, real v) { return v > 0 ? g : real(0); });
}
Tensor gelu(const Tensor& x) {
  return map_unary("gelu", x, [](real v) { return v * normal_cdf(v); }, kCostlyGrain);
}
Tensor gelu_derivative(const Tensor& x) {
  return map_unary(
      "gelu_derivative", x, [](real v) { return normal_cdf(v) + v * normal_pdf(v); },
      kCostlyGrain);
}
Tensor pow(const Tensor& x, real exponent) {
  return map_unary("pow", x, [exponent](real v) { return std::pow(v, exponent); }, kCostlyGrain);
}
Tensor abs(const Tensor& x) { return map_unary("abs", x, [](real v) { return std::abs(v); }); }
Tensor sign(const Tensor& x) {
  return map_unary("sign", x, [](real v) { return real((v > 0) - (v < 0)); });
}

// ---- binary, broadcasting ---------------------------------------------------------------------

Tensor add(const Tensor& a, const Tensor& b) {
  return map_binary("add", a, b, [](real x, real y) { return x + y; });
}
Tensor sub(const Tensor& a, const Tensor& b) {
  return map_binary("sub", a, b, [](real x, real y) { return x - y; });
}
Tensor mul(const Tensor& a, const Tensor& b) {
  return map_binary("mul", a, b, [](real x, real y) { return x * y; });
}
Tensor div(const Tensor& a, const Tensor& b) {
  return map_binary("div", a, b, [](real x, real y) { return x / y; });
}
Tensor maximum(const Tensor& a, const Tensor& b) {
  return map_binary("maximum", a, b, [](real x, real y) { return x < y ? y : x; });
}

// ---- comparisons ------------------------------------------------------------------------------

Tensor eq(const Tensor& a, const Tensor& b) {
  return map_binary("eq", a, b, [](real x, real y) { return real(x == y); });
}
Tensor ne(const Tensor& a, const Tensor& b) {
  return map_binary("ne", a, b, [](real x, real y) { return real(x != y); });
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return map_binary("lt", a, b, [](real x, real y) { return real(x < y); });
}
Tensor le(const Tensor& a, const Tensor& b) {
  return map_binary("le", a, b, [](real x, real y) { return real(x <= y); });
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return map_binary("gt", a, b, [](real x, real y) { return real(x > y); });
}
Tensor ge(const Tensor& a, const Tensor& b) {
  return map_binary("ge", a, b, [](real x, real y) { return real(x >= y); });
}

// ---- selection --------------------------------------------------------------------------------

// Three operands do not fit the binary map, so each is laid out densely first; where() is rare.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_defined("where", condition);
  check_defined("where", a);
  check_defined("where", b);
  const Shape shape =
      broadcast_shapes("where", broadcast_shapes("where", condition.shape(), a.shape()), b.shape());
  const std::vector<real> c = condition.expand(shape).to_vector();
  const std::vector<real> x = a.expand(shape).to_vector();
  const std::vector<real> y = b.expand(shape).to_vector();
  Tensor out = Tensor::empty(shape);
  real* o = out.data();
  for (size_t i = 0; i < c.size(); ++i) o[i] = c[i] != 0 ? x[i] : y[i];
  return out;
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, real value) {
  check_defined("masked_fill", x);
  check_defined("masked_fill", mask);
  check(broadcasts_to(mask.shape(), x.shape()), "masked_fill", [&] {
    return "mask " + to_string(mask.shape()) + " does not broadcast to x's shape " +
           to_string(x.shape());
  });
  return map_binary("masked_fill", x, mask,
                    [value](real v, real m) { return m != 0 ? value : v; });
}

// ---- with a scalar ----------------------------------------------------------------------------

Tensor add_scalar(const Tensor& x, real s) {
  return map_unary("add_scalar", x, [s](real v) { return v + s; });
}
Tensor mul_scalar(const Tensor& x, real s) {
  return map_unary("mul_scalar", x, [s](real v) { return v * s; });
}

// ---- in place ---------------------------------------------------------------------------------

void add_into(Tensor& target, const Tensor& source, real scale) {
  check_defined("add_into", target);
  check_defined("add_into", source);
  check(broadcasts_to(source.shape(), target.shape()), "add_into", [&] {
    return "source " + to_string(source.shape()) + " does not broadcast to target " +
           to_string(target.shape());
  });
  real* t = target.data();
  const real* s = source.data();
  // If source were target shifted within one buffer, the dense loop would read source[i] after
  // it had already been written as some target[j], j < i; only exact aliasing is safe there.
  const bool overlap = target.shares_storage_with(source) && t != s;
  if (!overlap && target.is_contiguous() && source.is_contiguous() &&
      source.shape() == target.shape()) {
    const int64_t n = target.numel();
    for (int64_t i = 0; i < n; ++i) t[i] += s[i] * scale;
    return;
  }
  // General case: read all of source first (any overlap is then harmless), then walk target.
  const std::vector<real> values = source.expand(target.shape()).to_vector();
  const real* next = values.data();
  for_each_offset(target.shape(), target.strides(),
                  [&](int64_t offset) { t[offset] += *next++ * scale; });
}

// ---- operators --------------------------------------------------------------------------------

Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, real s) { return add_scalar(a, s); }
Tensor operator-(const Tensor& a, real s) { return add_scalar(a, -s); }
Tensor operator*(const Tensor& a, real s) { return mul_scalar(a, s); }
// Divides rather than multiplying by 1/s, so x / 3 is exactly the rounded quotient.
Tensor operator/(const Tensor& a, real s) {
  return map_unary("div", a, [s](real v) { return v / s; });
}
Tensor operator+(real s, const Tensor& a) { return add_scalar(a, s); }
Tensor operator-(real s, const Tensor& a) {
  return map_unary("sub", a, [s](real v) { return s - v; });
}
Tensor operator*(real s, const Tensor& a) { return mul_scalar(a, s); }
Tensor operator/(real s, const Tensor& a) {
  return map_unary("div", a, [s](real v) { return s / v; });
}

// ---- comparison of whole tensors --------------------------------------------------------------

bool allclose(const Tensor& a, const Tensor& b, real rtol, real atol) {
  check_defined("allclose", a);
  check_defined("allclose", b);
  if (a.shape() != b.shape()) return false;
  const std::vector<real> x = a.to_vector(), y = b.to_vector();
  for (size_t i = 0; i < x.size(); ++i)
    if (!(std::abs(x[i] - y[i]) <= atol + rtol * std::abs(y[i]))) return false;  // NaN: false
  return true;
}

}  // namespace attn
