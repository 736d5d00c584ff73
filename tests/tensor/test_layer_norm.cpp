// Tests for tensor/layer_norm.h: a hand-computed row, invariants, gradients, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "tensor/error.h"
#include "tests/tensor/reference.h"
#include "tensor/layer_norm.h"

using namespace attn;
using attn::test::check_close;
using attn::test::numeric_gradient;

namespace {

// float carries ~7 significant digits, double ~16: each check allows a few roundings' worth.
constexpr double kTol = sizeof(real) == sizeof(float) ? 1e-5 : 1e-12;
constexpr double kGradTol = sizeof(real) == sizeof(float) ? 5e-5 : 1e-7;

// Deterministic, irregular values in (-2, 2).
std::vector<real> wiggly(int64_t count, double seed) {
  std::vector<real> values;
  for (int64_t i = 0; i < count; ++i) values.push_back(real(2 * std::sin(seed + 1.7 * i)));
  return values;
}

std::vector<double> to_double(const Tensor& t) {
  const std::vector<real> values = t.to_vector();
  return std::vector<double>(values.begin(), values.end());
}

// Reference layer norm in double over rows of D, written straight from the equations.
std::vector<double> reference(const std::vector<double>& x, const std::vector<double>& gamma,
                              const std::vector<double>& beta, double eps) {
  const size_t D = gamma.size();
  std::vector<double> y(x.size());
  for (size_t start = 0; start < x.size(); start += D) {
    double mu = 0, var = 0;
    for (size_t i = 0; i < D; ++i) mu += x[start + i] / D;
    for (size_t i = 0; i < D; ++i) var += (x[start + i] - mu) * (x[start + i] - mu) / D;
    for (size_t i = 0; i < D; ++i)
      y[start + i] = gamma[i] * (x[start + i] - mu) / std::sqrt(var + eps) + beta[i];
  }
  return y;
}

}  // namespace

// ---- known values -----------------------------------------------------------------------------

TEST_CASE("layer_norm: normalises [1,2,3,4] as computed by hand, eps inside the square root") {
  // mu = 2.5, x - mu = [-1.5, -0.5, 0.5, 1.5], var = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
  // (biased: divide by D = 4, not 3). With eps = 0.75, var + eps = 2, rstd = 1/sqrt(2), so
  // xhat = [-1.5, -0.5, 0.5, 1.5] / sqrt(2) = [-1.0606602, -0.3535534, 0.3535534, 1.0606602]
  // (eps outside the root, std + eps = 1.118 + 0.75, would give [-0.803, ...] instead).
  const Tensor x = Tensor::from_vector({1, 4}, {1, 2, 3, 4});
  const LayerNormForward out = layer_norm_forward(x, Tensor::ones({4}), Tensor::zeros({4}), 0.75);
  const std::vector<double> xhat = {-1.0606601717798212, -0.35355339059327373, 0.35355339059327373,
                                    1.0606601717798212};
  check_close(out.xhat.to_vector(), xhat, kTol);
  check_close(out.y.to_vector(), xhat, kTol);
  CHECK(out.rstd.shape() == Shape{1});
  CHECK(double(out.rstd.at({0})) == doctest::Approx(1 / std::sqrt(2.0)).epsilon(kTol));
}

TEST_CASE("layer_norm: gamma scales and beta shifts each column") {
  // eps = 0: rstd = 1/sqrt(1.25), xhat = [-1.3416408, -0.4472136, 0.4472136, 1.3416408];
  // y = gamma * xhat + beta with gamma = [1, 2, 0, -1], beta = [0, 1, 5, 0]
  //   = [-1.3416408, 0.1055728, 5, -1.3416408]
  const Tensor x = Tensor::from_vector({4}, {1, 2, 3, 4});
  const Tensor gamma = Tensor::from_vector({4}, {1, 2, 0, -1});
  const Tensor beta = Tensor::from_vector({4}, {0, 1, 5, 0});
  const LayerNormForward out = layer_norm_forward(x, gamma, beta, 0);
  check_close(out.y.to_vector(), {-1.3416407864998738, 0.10557280900008403, 5, -1.3416407864998738},
              kTol);
  CHECK(out.rstd.shape() == Shape{});  // one row: a scalar
}

// ---- invariants -------------------------------------------------------------------------------

TEST_CASE("layer_norm: every row of xhat has mean 0 and variance var / (var + eps)") {
  const int64_t R = 64, D = 512;  // enough rows to be split over threads
  const Tensor x = Tensor::from_vector({R, D}, wiggly(R * D, 0.4));
  const LayerNormForward out = layer_norm_forward(x, Tensor::ones({D}), Tensor::zeros({D}), 1e-5);
  const std::vector<real> xhat = out.xhat.to_vector();
  const std::vector<real> xs = x.to_vector();
  for (int64_t r = 0; r < R; ++r) {
    double mean = 0, var = 0, x_mean = 0, x_var = 0;
    for (int64_t i = 0; i < D; ++i) mean += xhat[r * D + i] / double(D);
    for (int64_t i = 0; i < D; ++i) var += xhat[r * D + i] * double(xhat[r * D + i]) / D;
    for (int64_t i = 0; i < D; ++i) x_mean += xs[r * D + i] / double(D);
    for (int64_t i = 0; i < D; ++i)
      x_var += (xs[r * D + i] - x_mean) * (xs[r * D + i] - x_mean) / D;
    CHECK(std::abs(mean) < kTol);
    CHECK(var == doctest::Approx(x_var / (x_var + 1e-5)).epsilon(kTol));
  }
}

TEST_CASE("layer_norm: adding a large constant to a row changes nothing") {
  // 1001..1004 are exact in float; the two-pass variance does not cancel them away.
  const Tensor ones = Tensor::ones({4}), zeros = Tensor::zeros({4});
  const Tensor small = Tensor::from_vector({4}, {1, 2, 3, 4});
  const Tensor large = Tensor::from_vector({4}, {1001, 1002, 1003, 1004});
  check_close(layer_norm_forward(large, ones, zeros, 0).y.to_vector(),
              to_double(layer_norm_forward(small, ones, zeros, 0).y), kTol);
}

TEST_CASE("layer_norm: a constant row gives beta, not NaN") {
  // var = 0, so xhat = 0 / sqrt(0 + eps) = 0 and y = beta
  const Tensor x = Tensor::full({2, 3}, 7);
  const Tensor beta = Tensor::from_vector({3}, {1, 2, 3});
  const LayerNormForward out = layer_norm_forward(x, Tensor::ones({3}), beta, 1e-5);
  CHECK(out.y.to_vector() == std::vector<real>{1, 2, 3, 1, 2, 3});
}

TEST_CASE("layer_norm: a non-contiguous input gives the same values as its contiguous copy") {
  const Tensor x = Tensor::from_vector({5, 3}, wiggly(15, 0.7)).transpose(0, 1);  // [3, 5] view
  const Tensor gamma = Tensor::from_vector({5}, wiggly(5, 1.0));
  const Tensor beta = Tensor::from_vector({5}, wiggly(5, 2.0));
  CHECK(layer_norm_forward(x, gamma, beta, 1e-5).y.to_vector() ==
        layer_norm_forward(x.contiguous(), gamma, beta, 1e-5).y.to_vector());
}

// ---- backward ---------------------------------------------------------------------------------

TEST_CASE("layer_norm: backward matches finite differences for x, gamma and beta") {
  const int64_t R = 3, D = 5;
  const double eps = 1e-5;
  const Tensor x = Tensor::from_vector({R, D}, wiggly(R * D, 0.3));
  const Tensor gamma = Tensor::from_vector({D}, wiggly(D, 1.3));
  const Tensor beta = Tensor::from_vector({D}, wiggly(D, 2.3));
  const Tensor g = Tensor::from_vector({R, D}, wiggly(R * D, 3.3));
  const LayerNormForward fwd = layer_norm_forward(x, gamma, beta, real(eps));
  const LayerNormBackward bwd = layer_norm_backward(g, fwd.xhat, fwd.rstd, gamma);

  // L = sum_i g_i y_i, as a function of each input in turn with the others held fixed.
  const std::vector<double> xd = to_double(x), gd = to_double(gamma), bd = to_double(beta);
  const std::vector<double> gy = to_double(g);
  auto loss = [&](const std::vector<double>& xs, const std::vector<double>& gs,
                  const std::vector<double>& bs) {
    const std::vector<double> y = reference(xs, gs, bs, eps);
    double total = 0;
    for (size_t i = 0; i < y.size(); ++i) total += gy[i] * y[i];
    return total;
  };
  check_close(bwd.grad_x.to_vector(),
              numeric_gradient([&](const std::vector<double>& v) { return loss(v, gd, bd); }, xd),
              kGradTol);
  check_close(bwd.grad_gamma.to_vector(),
              numeric_gradient([&](const std::vector<double>& v) { return loss(xd, v, bd); }, gd),
              kGradTol);
  check_close(bwd.grad_beta.to_vector(),
              numeric_gradient([&](const std::vector<double>& v) { return loss(xd, gd, v); }, bd),
              kGradTol);
}

TEST_CASE("layer_norm: the input gradient of every row sums to zero") {
  // y does not change when a constant is added to a row, so dx is orthogonal to [1, ..., 1].
  const int64_t R = 64, D = 512;
  const Tensor x = Tensor::from_vector({R, D}, wiggly(R * D, 0.8));
  const Tensor gamma = Tensor::from_vector({D}, wiggly(D, 1.8));
  const LayerNormForward fwd = layer_norm_forward(x, gamma, Tensor::zeros({D}), 1e-5);
  const LayerNormBackward bwd = layer_norm_backward(Tensor::from_vector({R, D}, wiggly(R * D, 2.8)),
                                                    fwd.xhat, fwd.rstd, gamma);
  const std::vector<real> dx = bwd.grad_x.to_vector();
  for (int64_t r = 0; r < R; ++r) {
    double sum = 0, size = 0;
    for (int64_t i = 0; i < D; ++i) sum += dx[r * D + i], size += std::abs(dx[r * D + i]);
    CHECK(std::abs(sum) < kTol * size);
  }
}

// ---- errors -----------------------------------------------------------------------------------

TEST_CASE("layer_norm: gamma or beta not matching the last dimension is an error naming shapes") {
  const Tensor x({2, 4});
  CHECK_THROWS_WITH_AS(layer_norm_forward(x, Tensor({5}), Tensor({4}), 1e-5),
                       "layer_norm: gamma [5] must be [4] to match the last dimension of [2,4]",
                       Error);
  CHECK_THROWS_WITH_AS(layer_norm_forward(x, Tensor({4}), Tensor({1, 4}), 1e-5),
                       "layer_norm: beta [1,4] must be [4] to match the last dimension of [2,4]",
                       Error);
}

TEST_CASE("layer_norm: a scalar or an empty last dimension is an error") {
  CHECK_THROWS_WITH_AS(layer_norm_forward(Tensor::scalar(1), Tensor({1}), Tensor({1}), 1e-5),
                       "layer_norm: x must have at least one dimension, got []", Error);
  CHECK_THROWS_WITH_AS(layer_norm_forward(Tensor({3, 0}), Tensor({0}), Tensor({0}), 1e-5),
                       "layer_norm: x [3,0] has an empty last dimension", Error);
}

TEST_CASE("layer_norm: backward with mismatched saved tensors is an error naming shapes") {
  const Tensor xhat({2, 4}), rstd({2}), gamma({4});
  CHECK_THROWS_WITH_AS(layer_norm_backward(Tensor({4, 2}), xhat, rstd, gamma),
                       "layer_norm_backward: grad_y [4,2] must have the shape of xhat [2,4]",
                       Error);
  CHECK_THROWS_WITH_AS(layer_norm_backward(xhat, xhat, Tensor({4}), gamma),
                       "layer_norm_backward: rstd [4] must be [2], one value per row of xhat [2,4]",
                       Error);
  CHECK_THROWS_WITH_AS(
      layer_norm_backward(xhat, xhat, rstd, Tensor({2})),
      "layer_norm_backward: gamma [2] must be [4] to match the last dimension of [2,4]", Error);
}
