// Layer normalisation over the last dimension, forward and backward (see layer_norm.h).
//
// Ba, Kiros, Hinton 2016, "Layer Normalization", §3, as the Transformer uses it (Vaswani §3.1):
//   mu = (1/D) sum_i x_i,   var = (1/D) sum_i (x_i - mu)^2,   rstd = 1 / sqrt(var + eps)
//   xhat_i = (x_i - mu) * rstd,   y_i = gamma_i * xhat_i + beta_i
// The backward follows llm.c's layernorm_backward: with the saved xhat and rstd, one pass per row.
//
// Every row of D elements is independent, so rows run over threads; the parameter gradients sum
// over rows instead, so they run over columns. Row and column sums accumulate in double.
#include "tensor/layer_norm.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "tensor/error.h"
#include "tensor/thread_pool.h"

namespace attn {

// Elements per parallel chunk: below this, another thread costs more than it saves.
constexpr int64_t kGrain = 1 << 14;

// Throws unless `param` (gamma or beta) is a [D] vector matching x's last dimension D.
static void check_param(const std::string& op, const char* name, const Tensor& param,
                        const Tensor& x) {
  const Shape expected = {x.size(-1)};
  check(param.defined() && param.shape() == expected, op, [&] {
    return std::string(name) + " " + (param.defined() ? to_string(param.shape()) : "(undefined)") +
           " must be " + to_string(expected) + " to match the last dimension of " +
           to_string(x.shape());
  });
}

// Calls body(begin, end) over [0, count) items of `width` elements each, over threads.
static void parallel_rows(int64_t count, int64_t width,
                          const std::function<void(int64_t, int64_t)>& body) {
  parallel_for(count, std::max<int64_t>(1, kGrain / std::max<int64_t>(width, 1)), body);
}

// ---- forward ----------------------------------------------------------------------------------

// One row x [D]: writes xhat and y = gamma * xhat + beta, returns rstd.
static real normalize_row(const real* x, const real* gamma, const real* beta, real eps, int64_t D,
                          real* xhat, real* y) {
  double mean = 0;
  for (int64_t i = 0; i < D; ++i) mean += x[i];
  mean /= D;
  // Two passes (mean, then squared deviations) rather than E[x^2] - E[x]^2, which cancels
  // catastrophically when the mean is large compared with the spread.
  double var = 0;
  for (int64_t i = 0; i < D; ++i) var += (x[i] - mean) * (x[i] - mean);
  var /= D;                                        // biased, as the paper: divide by D, not D - 1
  const double rstd = 1.0 / std::sqrt(var + eps);  // eps inside the square root
  for (int64_t i = 0; i < D; ++i) {
    xhat[i] = static_cast<real>((x[i] - mean) * rstd);
    y[i] = gamma[i] * xhat[i] + beta[i];
  }
  return static_cast<real>(rstd);
}

LayerNormForward layer_norm_forward(const Tensor& x_in, const Tensor& gamma_in,
                                    const Tensor& beta_in, real eps) {
  const std::string op = "layer_norm";
  check(x_in.defined() && x_in.ndim() >= 1, op, [&] {
    return "x must have at least one dimension, got " +
           (x_in.defined() ? to_string(x_in.shape()) : "(undefined)");
  });
  const int64_t D = x_in.size(-1);
  check(D > 0, op, [&] { return "x " + to_string(x_in.shape()) + " has an empty last dimension"; });
  check_param(op, "gamma", gamma_in, x_in);
  check_param(op, "beta", beta_in, x_in);

  const Tensor x = x_in.contiguous(), gamma = gamma_in.contiguous(), beta = beta_in.contiguous();
  Shape row_shape = x.shape();
  row_shape.pop_back();
  LayerNormForward out{Tensor::empty(x.shape()), Tensor::empty(x.shape()),
                       Tensor::empty(row_shape)};  // [..., D] [..., D] [...]

  const real* xs = x.data();
  const real* g = gamma.data();
  const real* b = beta.data();
  real* ys = out.y.data();
  real* xhats = out.xhat.data();
  real* rstds = out.rstd.data();
  parallel_rows(x.numel() / D, D, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r)
      rstds[r] = normalize_row(xs + r * D, g, b, eps, D, xhats + r * D, ys + r * D);
  });
  return out;
}

// ---- backward ---------------------------------------------------------------------------------

// In the forward pass this was y = gamma * xhat + beta, with gamma and beta shared by every row,
// so now dbeta_j = sum over rows of g_j and dgamma_j = sum over rows of g_j * xhat_j.
static void parameter_gradients(const Tensor& grad_y, const Tensor& xhat, LayerNormBackward& out) {
  const int64_t D = xhat.size(-1), rows = xhat.numel() / D;
  const real* g = grad_y.data();
  const real* xh = xhat.data();
  real* dgamma = out.grad_gamma.data();
  real* dbeta = out.grad_beta.data();
  // Split over columns: each thread owns a run of columns and sums it over all rows, so the
  // result does not depend on the thread count.
  parallel_rows(D, rows, [&](int64_t begin, int64_t end) {
    std::vector<double> sum_g(end - begin, 0.0), sum_gx(end - begin, 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = begin; j < end; ++j) {
        sum_g[j - begin] += g[r * D + j];
        sum_gx[j - begin] += double(g[r * D + j]) * xh[r * D + j];
      }
    for (int64_t j = begin; j < end; ++j) {
      dbeta[j] = static_cast<real>(sum_g[j - begin]);
      dgamma[j] = static_cast<real>(sum_gx[j - begin]);
    }
  });
}

// In the forward pass this was xhat = (x - mu) * rstd, where mu and rstd depend on every x in the
// row. Writing dxhat = gamma * g (the gradient that reaches xhat), the chain rule through mu
// and var gives
//   dx_i = rstd * (dxhat_i - mean_j(dxhat_j) - xhat_i * mean_j(dxhat_j * xhat_j))
// so now: two row means, then one line per element.
static void input_gradient(const Tensor& grad_y, const Tensor& xhat, const Tensor& rstd,
                           const Tensor& gamma, Tensor& grad_x) {
  const int64_t D = xhat.size(-1);
  const real* g = grad_y.data();
  const real* xh = xhat.data();
  const real* rs = rstd.data();
  const real* gm = gamma.data();
  real* dx = grad_x.data();
  parallel_rows(xhat.numel() / D, D, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const real* gr = g + r * D;
      const real* xr = xh + r * D;
      double mean_dxhat = 0, mean_dxhat_xhat = 0;
      for (int64_t i = 0; i < D; ++i) {
        const double dxhat = double(gm[i]) * gr[i];
        mean_dxhat += dxhat;
        mean_dxhat_xhat += dxhat * xr[i];
      }
      const real m1 = static_cast<real>(mean_dxhat / D);
      const real m2 = static_cast<real>(mean_dxhat_xhat / D);
      for (int64_t i = 0; i < D; ++i) dx[r * D + i] = rs[r] * (gm[i] * gr[i] - m1 - xr[i] * m2);
    }
  });
}

LayerNormBackward layer_norm_backward(const Tensor& grad_y_in, const Tensor& xhat_in,
                                      const Tensor& rstd_in, const Tensor& gamma_in) {
  const std::string op = "layer_norm_backward";
  check(xhat_in.defined() && xhat_in.ndim() >= 1 && xhat_in.size(-1) > 0, op, [&] {
    return "xhat must have a non-empty last dimension, got " +
           (xhat_in.defined() ? to_string(xhat_in.shape()) : "(undefined)");
  });
  check(grad_y_in.defined() && grad_y_in.shape() == xhat_in.shape(), op, [&] {
    return "grad_y " + (grad_y_in.defined() ? to_string(grad_y_in.shape()) : "(undefined)") +
           " must have the shape of xhat " + to_string(xhat_in.shape());
  });
  Shape row_shape = xhat_in.shape();
  row_shape.pop_back();
  check(rstd_in.defined() && rstd_in.shape() == row_shape, op, [&] {
    return "rstd " + (rstd_in.defined() ? to_string(rstd_in.shape()) : "(undefined)") +
           " must be " + to_string(row_shape) + ", one value per row of xhat " +
           to_string(xhat_in.shape());
  });
  check_param(op, "gamma", gamma_in, xhat_in);

  const Tensor grad_y = grad_y_in.contiguous(), xhat = xhat_in.contiguous();
  const Tensor rstd = rstd_in.contiguous(), gamma = gamma_in.contiguous();
  const Shape param_shape = gamma.shape();
  LayerNormBackward out{Tensor(xhat.shape()), Tensor(param_shape), Tensor(param_shape)};
  input_gradient(grad_y, xhat, rstd, gamma, out.grad_x);
  parameter_gradients(grad_y, xhat, out);
  return out;
}

}  // namespace attn
