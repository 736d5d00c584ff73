// Softmax and log-softmax along one dimension, forward and backward (see softmax.h).
//
//   softmax(x)_i     = exp(x_i - m) / sum_j exp(x_j - m),     m = max_j x_j
//   log_softmax(x)_i = x_i - m - log sum_j exp(x_j - m)
//   softmax backward:      dx_i = y_i * (g_i - sum_j g_j y_j)
//   log_softmax backward:  dx_i = g_i - exp(y_i) * sum_j g_j
// Bridle 1990 named the softmax; the max shift is the standard trick (Goodfellow et al. 2016,
// "Deep Learning" §4.1), as in llm.c's softmax_forward.
//
// Every kernel works on rows: runs of n contiguous elements along `dim`. When dim is the last
// dimension of a contiguous tensor (attention scores [B, H, T, S], logits [N, V]) the tensor
// already is its rows and nothing is copied; any other dim is swapped last, computed, and
// swapped back (two copies, rare in a Transformer). Row sums accumulate in double.
//
// Masked rows: a row that is entirely -inf (a query that may attend to nothing) has no
// probability mass to share. softmax gives it all zeros, so it contributes nothing downstream;
// log_softmax gives it all -inf, since log 0 = -inf (PyTorch returns NaN for both). NaN in a
// row still propagates to the whole row.
#include "tensor/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor/error.h"
#include "tensor/exp_nonpositive.h"
#include "tensor/reduce.h"
#include "tensor/thread_pool.h"

namespace attn {

namespace {

constexpr real kMinusInf = -std::numeric_limits<real>::infinity();
// Elements per parallel chunk: below this, handing work to another thread costs more than it saves.
constexpr int64_t kGrain = 1 << 14;

// The tensor with `dim` swapped to the end, row-major: every row along dim is n contiguous
// elements. A no-op (no copy) when dim is already last and t is contiguous. Swapping is its own
// inverse, so the same call puts a result computed this way back in the original order.
Tensor swap_last(const Tensor& t, int dim) { return t.transpose(dim, -1).contiguous(); }

// Calls row(start, n) for every row of a row-major tensor, whose rows are its last dimension,
// spreading rows over threads. Rows are independent, so the split never changes a result.
template <typename Row>
void for_each_row(const Tensor& rows, Row row) {
  const int64_t n = rows.size(-1);
  if (rows.numel() == 0) return;
  const int64_t count = rows.numel() / n;
  parallel_for(count, std::max<int64_t>(1, kGrain / n), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) row(r * n, n);
  });
}

// The largest element, ignoring NaN; -inf for a fully masked row. Shifting by it makes every
// exponent <= 0, so exp() never overflows. A -inf max cannot shift (-inf - -inf is NaN): use 0.
real row_shift(const real* x, int64_t n) {
  real m = kMinusInf;
  for (int64_t i = 0; i < n; ++i) m = std::max(m, x[i]);
  return m == kMinusInf ? real(0) : m;
}

// Writes e_j = exp(x_j - shift) and returns their sum, accumulated in double. Every exponent
// is <= 0, the domain of exp_nonpositive. The sum is >= 1 unless the whole row is -inf (then 0),
// and NaN if the row holds a NaN.
double row_exp_sum(const real* x, int64_t n, real shift, real* e) {
  for (int64_t i = 0; i < n; ++i) e[i] = exp_nonpositive(x[i] - shift);
  return sum_in_double(e, n);
}

void softmax_row(const real* x, real* y, int64_t n) {
  const double sum = row_exp_sum(x, n, row_shift(x, n), y);  // y holds exp(x - m) for now
  if (sum == 0) {  // fully masked: nothing to normalise, give zeros rather than 0/0
    std::fill(y, y + n, real(0));
    return;
  }
  const real inverse = static_cast<real>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) y[i] *= inverse;
}

void log_softmax_row(const real* x, real* y, int64_t n) {
  const real shift = row_shift(x, n);
  const double sum = row_exp_sum(x, n, shift, y);  // y holds exp(x - m) until overwritten below
  if (sum == 0) {  // fully masked: log 0
    std::fill(y, y + n, kMinusInf);
    return;
  }
  const double log_sum_exp = shift + std::log(sum);
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<real>(x[i] - log_sum_exp);
}

// Checks the input and returns its dim in 0..ndim-1.
int checked_dim(const std::string& op, const Tensor& x, int dim) {
  check(x.defined(), op, "input is undefined");
  return normalize_dim(op, dim, x.ndim());
}

// out = kernel applied to every row of x along dim, in x's shape.
template <typename Kernel>
Tensor forward_rows(const std::string& op, const Tensor& x, int dim, Kernel kernel) {
  const int d = checked_dim(op, x, dim);
  const Tensor in = swap_last(x, d);
  Tensor out = Tensor::empty(in.shape());
  const real* xs = in.data();
  real* ys = out.data();
  for_each_row(in, [&](int64_t start, int64_t n) { kernel(xs + start, ys + start, n); });
  return swap_last(out, d);
}

// dx = kernel(y row, g row) for every row along dim, in y's shape.
template <typename Kernel>
Tensor backward_rows(const std::string& op, const Tensor& y, const Tensor& grad_y, int dim,
                     Kernel kernel) {
  const int d = checked_dim(op, y, dim);
  check(grad_y.defined() && grad_y.shape() == y.shape(), op, [&] {
    return "grad_y " + (grad_y.defined() ? to_string(grad_y.shape()) : "(undefined)") +
           " must have the shape of y " + to_string(y.shape());
  });
  const Tensor ys = swap_last(y, d), gs = swap_last(grad_y, d);
  Tensor dx = Tensor::empty(ys.shape());
  const real* yp = ys.data();
  const real* gp = gs.data();
  real* dp = dx.data();
  for_each_row(ys,
               [&](int64_t start, int64_t n) { kernel(yp + start, gp + start, dp + start, n); });
  return swap_last(dx, d);
}

}  // namespace

// ---- softmax ----------------------------------------------------------------------------------

Tensor softmax(const Tensor& x, int dim) { return forward_rows("softmax", x, dim, softmax_row); }

// In the forward pass every y_i = exp(x_i) / sum_k exp(x_k) depends on every x_j:
//   dy_i/dx_j = y_i * ([i == j] - y_j)
// so now dx_j = sum_i g_i * dy_i/dx_j = y_j * g_j - y_j * sum_i g_i y_i = y_j * (g_j - <g, y>).
Tensor softmax_backward(const Tensor& y, const Tensor& grad_y, int dim) {
  return backward_rows("softmax_backward", y, grad_y, dim,
                       [](const real* yr, const real* g, real* dx, int64_t n) {
                         double dot = 0;  // <g, y>
                         for (int64_t i = 0; i < n; ++i) dot += double(g[i]) * yr[i];
                         const real gy = static_cast<real>(dot);
                         for (int64_t i = 0; i < n; ++i) dx[i] = yr[i] * (g[i] - gy);
                       });
}

// ---- log-softmax ------------------------------------------------------------------------------

Tensor log_softmax(const Tensor& x, int dim) {
  return forward_rows("log_softmax", x, dim, log_softmax_row);
}

// In the forward pass this was y_i = x_i - log sum_k exp(x_k), so
//   dy_i/dx_j = [i == j] - softmax(x)_j = [i == j] - exp(y_j)
// and now dx_j = g_j - exp(y_j) * sum_i g_i. A fully masked row (y = -inf) has exp(y) = 0.
Tensor log_softmax_backward(const Tensor& y, const Tensor& grad_y, int dim) {
  return backward_rows("log_softmax_backward", y, grad_y, dim,
                       [](const real* yr, const real* g, real* dx, int64_t n) {
                         const real gs = static_cast<real>(sum_in_double(g, n));  // sum_i g_i
                         for (int64_t i = 0; i < n; ++i)
                           dx[i] = g[i] - exp_nonpositive(yr[i]) * gs;
                       });
}

}  // namespace attn
