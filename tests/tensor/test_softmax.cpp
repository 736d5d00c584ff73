// Tests for tensor/softmax.h: known values, invariants, masked rows, gradients, errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "tensor/error.h"
#include "tensor/exp_nonpositive.h"
#include "tests/tensor/reference.h"
#include "tensor/softmax.h"

using namespace attn;
using attn::test::check_close;
using attn::test::numeric_gradient;

namespace {

// float carries ~7 significant digits, double ~16: each check allows a few roundings' worth.
constexpr double kTol = sizeof(real) == sizeof(float) ? 1e-5 : 1e-12;
constexpr double kGradTol = sizeof(real) == sizeof(float) ? 2e-5 : 1e-7;
constexpr real kInf = std::numeric_limits<real>::infinity();

// Deterministic, irregular values in (-2, 2).
std::vector<real> wiggly(int64_t count, double seed) {
  std::vector<real> values;
  for (int64_t i = 0; i < count; ++i) values.push_back(real(2 * std::sin(seed + 1.7 * i)));
  return values;
}

// Reference (log-)softmax in double of a row-major [R, C] matrix along dim 0 or 1.
std::vector<double> reference(const std::vector<double>& x, int64_t R, int64_t C, int dim,
                              bool log) {
  const int64_t lines = dim == 1 ? R : C, n = dim == 1 ? C : R;
  auto at = [&](int64_t line, int64_t k) { return dim == 1 ? line * C + k : k * C + line; };
  std::vector<double> y(x.size());
  for (int64_t l = 0; l < lines; ++l) {
    double m = -std::numeric_limits<double>::infinity(), sum = 0;
    for (int64_t k = 0; k < n; ++k) m = std::max(m, x[at(l, k)]);
    for (int64_t k = 0; k < n; ++k) sum += std::exp(x[at(l, k)] - m);
    for (int64_t k = 0; k < n; ++k)
      y[at(l, k)] = log ? x[at(l, k)] - m - std::log(sum) : std::exp(x[at(l, k)] - m) / sum;
  }
  return y;
}

std::vector<double> to_double(const Tensor& t) {
  const std::vector<real> values = t.to_vector();
  return std::vector<double>(values.begin(), values.end());
}

// Checks a backward kernel against finite differences of L(x) = sum_i g_i f(x)_i in double.
void check_backward(bool log, int dim) {
  const int64_t R = 3, C = 5;
  const Tensor x = Tensor::from_vector({R, C}, wiggly(R * C, 0.3));
  const Tensor g = Tensor::from_vector({R, C}, wiggly(R * C, 1.1));
  const std::vector<double> gd = to_double(g);
  const Tensor y = log ? log_softmax(x, dim) : softmax(x, dim);
  const Tensor dx = log ? log_softmax_backward(y, g, dim) : softmax_backward(y, g, dim);
  auto loss = [&](const std::vector<double>& xs) {
    const std::vector<double> ys = reference(xs, R, C, dim, log);
    double total = 0;
    for (size_t i = 0; i < ys.size(); ++i) total += gd[i] * ys[i];
    return total;
  };
  check_close(dx.to_vector(), numeric_gradient(loss, to_double(x)), kGradTol);
}

}  // namespace

// ---- known values -----------------------------------------------------------------------------

TEST_CASE("softmax: known values computed by hand") {
  // x = [0, ln 3]: exp(x) = [1, 3], sum 4, so softmax = [1/4, 3/4]
  const Tensor x = Tensor::from_vector({1, 2}, {0, real(std::log(3.0))});
  check_close(softmax(x, -1).to_vector(), {0.25, 0.75}, kTol);
  // log_softmax = x - ln 4 = [-ln 4, ln 3 - ln 4] = [-1.3862943611, -0.2876820725]
  check_close(log_softmax(x, -1).to_vector(), {-1.3862943611198906, -0.2876820724517809}, kTol);
}

TEST_CASE("softmax: equal logits share the mass equally") {
  // softmax([c, c, c, c]) = [1/4, 1/4, 1/4, 1/4] for any c
  check_close(softmax(Tensor::full({4}, 7), 0).to_vector(), {0.25, 0.25, 0.25, 0.25}, kTol);
}

// ---- invariants -------------------------------------------------------------------------------

TEST_CASE("softmax: every row sums to 1, along any dimension") {
  const Tensor x = Tensor::from_vector({4, 3, 5}, wiggly(60, 0.5));
  for (int dim : {0, 1, 2, -1}) {
    const Tensor y = softmax(x, dim);
    CHECK(y.shape() == x.shape());
    // Sum along dim by moving it last: rows of the transposed copy.
    const std::vector<real> rows = y.transpose(dim, -1).contiguous().to_vector();
    const int64_t n = x.size(dim);
    for (size_t start = 0; start < rows.size(); start += n) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) sum += rows[start + k];
      CHECK(sum == doctest::Approx(1).epsilon(kTol));
    }
  }
}

TEST_CASE("softmax: a dimension other than the last equals the last-dimension path") {
  const Tensor x = Tensor::from_vector({3, 4, 5}, wiggly(60, 0.9));
  const Tensor moved = x.transpose(1, 2).contiguous();  // [3, 5, 4]: dim 1 is now last
  const std::vector<real> expected = softmax(moved, -1).transpose(1, 2).contiguous().to_vector();
  const std::vector<real> actual = softmax(x, 1).to_vector();
  for (size_t i = 0; i < actual.size(); ++i) CHECK(actual[i] == expected[i]);
}

TEST_CASE("softmax: a non-contiguous input gives the same values as its contiguous copy") {
  const Tensor x = Tensor::from_vector({5, 3}, wiggly(15, 2.0)).transpose(0, 1);  // [3, 5] view
  CHECK(softmax(x, -1).to_vector() == softmax(x.contiguous(), -1).to_vector());
  CHECK(log_softmax(x, 0).to_vector() == log_softmax(x.contiguous(), 0).to_vector());
}

TEST_CASE("softmax: adding a constant to a row changes nothing") {
  // Eighths shifted by 64 stay exact in float, so only the softmax itself can differ.
  const std::vector<real> row = {0.5, -1.25, 2, 0, -0.75, 1.5};
  std::vector<real> shifted = row;
  for (real& v : shifted) v += 64;
  const Tensor expected = softmax(Tensor::from_vector({6}, row), 0);
  check_close(softmax(Tensor::from_vector({6}, shifted), 0).to_vector(), to_double(expected), kTol);
}

TEST_CASE("softmax: logits of 1000 do not overflow") {
  // exp(1000) overflows even double; after subtracting the max the exponents are [0, 0, -1].
  // softmax = [1, 1, e^-1] / (2 + e^-1) = [0.4223188, 0.4223188, 0.1553624]
  const Tensor x = Tensor::from_vector({3}, {1000, 1000, 999});
  check_close(softmax(x, 0).to_vector(),
              {0.4223187982515182, 0.4223187982515182, 0.15536240349696362}, kTol);
  // log_softmax([1000, 0]) = [-log(1 + e^-1000), -1000 - log(1 + e^-1000)] = [0, -1000]
  check_close(log_softmax(Tensor::from_vector({2}, {1000, 0}), 0).to_vector(), {0, -1000}, kTol);
}

TEST_CASE("softmax: rows spread over threads give the same values as one row at a time") {
  const int64_t R = 64, C = 1024;  // enough rows to be split into several chunks
  const Tensor x = Tensor::from_vector({R, C}, wiggly(R * C, 0.2));
  const std::vector<real> all = softmax(x, -1).to_vector();
  for (int64_t r : {int64_t(0), R / 2, R - 1}) {
    const std::vector<real> one = softmax(x.narrow(0, r, 1), -1).to_vector();
    for (int64_t c = 0; c < C; ++c) CHECK(all[r * C + c] == one[c]);
  }
}

TEST_CASE("softmax: an empty tensor gives an empty result") {
  CHECK(softmax(Tensor({0, 4}), -1).shape() == Shape{0, 4});
  CHECK(log_softmax(Tensor({3, 0}), -1).shape() == Shape{3, 0});
}

// ---- masked rows ------------------------------------------------------------------------------

TEST_CASE("softmax: a fully masked row gives zeros, not NaN") {
  const Tensor x = Tensor::from_vector({2, 3}, {-kInf, -kInf, -kInf, 1, 2, 3});
  const Tensor y = softmax(x, -1);
  for (int64_t j = 0; j < 3; ++j) CHECK(y.at({0, j}) == 0);
  CHECK(y.at({1, 0}) + y.at({1, 1}) + y.at({1, 2}) == doctest::Approx(1).epsilon(kTol));
}

TEST_CASE("log_softmax: a fully masked row gives -inf, not NaN") {
  const Tensor y = log_softmax(Tensor::full({3}, -kInf), 0);
  for (int64_t j = 0; j < 3; ++j) CHECK(y.at({j}) == -kInf);
}

TEST_CASE("softmax: masked entries get exactly zero weight and the rest renormalise") {
  // [0, -inf, 0] -> [1/2, 0, 1/2]; log_softmax -> [-ln 2, -inf, -ln 2]
  const Tensor x = Tensor::from_vector({3}, {0, -kInf, 0});
  const Tensor y = softmax(x, 0);
  CHECK(y.at({1}) == 0);
  check_close(y.to_vector(), {0.5, 0, 0.5}, kTol);
  const Tensor l = log_softmax(x, 0);
  CHECK(l.at({1}) == -kInf);
  CHECK(double(l.at({0})) == doctest::Approx(-std::log(2.0)).epsilon(kTol));
}

TEST_CASE("softmax: a NaN in a row makes the whole row NaN") {
  const Tensor x = Tensor::from_vector({3}, {0, std::numeric_limits<real>::quiet_NaN(), 1});
  for (real v : softmax(x, 0).to_vector()) CHECK(std::isnan(v));
  for (real v : log_softmax(x, 0).to_vector()) CHECK(std::isnan(v));
}

// ---- backward ---------------------------------------------------------------------------------

TEST_CASE("softmax: backward matches finite differences, along the last dimension") {
  check_backward(/*log=*/false, 1);
}

TEST_CASE("softmax: backward matches finite differences, along the first dimension") {
  check_backward(/*log=*/false, 0);
}

TEST_CASE("log_softmax: backward matches finite differences, along the last dimension") {
  check_backward(/*log=*/true, 1);
}

TEST_CASE("log_softmax: backward matches finite differences, along the first dimension") {
  check_backward(/*log=*/true, 0);
}

TEST_CASE("softmax: backward by hand for two equal logits") {
  // y = [1/2, 1/2], g = [1, 0]: <g, y> = 1/2, dx = y * (g - 1/2) = [1/4, -1/4]
  const Tensor y = Tensor::from_vector({2}, {0.5, 0.5});
  const Tensor g = Tensor::from_vector({2}, {1, 0});
  check_close(softmax_backward(y, g, 0).to_vector(), {0.25, -0.25}, kTol);
  // log_softmax: y = [-ln 2, -ln 2], dx = g - exp(y) * sum(g) = [1 - 1/2, 0 - 1/2]
  const Tensor ly = Tensor::full({2}, real(-std::log(2.0)));
  check_close(log_softmax_backward(ly, g, 0).to_vector(), {0.5, -0.5}, kTol);
}

// ---- errors -----------------------------------------------------------------------------------

TEST_CASE("softmax: a dimension out of range is an error naming the op") {
  CHECK_THROWS_WITH_AS(softmax(Tensor({2, 3}), 2),
                       "softmax: dimension 2 is out of range for a tensor with 2 dimensions",
                       Error);
  CHECK_THROWS_WITH_AS(log_softmax(Tensor({2, 3}), -3),
                       "log_softmax: dimension -3 is out of range for a tensor with 2 dimensions",
                       Error);
}

TEST_CASE("softmax: backward with a gradient of the wrong shape is an error naming both shapes") {
  CHECK_THROWS_WITH_AS(softmax_backward(Tensor({3, 2}), Tensor({2, 3}), -1),
                       "softmax_backward: grad_y [2,3] must have the shape of y [3,2]", Error);
  CHECK_THROWS_WITH_AS(log_softmax_backward(Tensor({3}), Tensor({4}), 0),
                       "log_softmax_backward: grad_y [4] must have the shape of y [3]", Error);
}

TEST_CASE("softmax: an undefined input is an error") {
  CHECK_THROWS_WITH_AS(softmax(Tensor(), 0), "softmax: input is undefined", Error);
}

// ---- the vectorisable exp behind softmax and cross-entropy -------------------------------------

TEST_CASE("exp_nonpositive: within 2 ulp of exp on [-87, 0], exact at the ends, 0 below") {
  double worst = 0;  // in units of float's epsilon, relative
  for (double x = -87.3; x <= 0; x += 0.000731) {
    const float xf = static_cast<float>(x);
    const double exact = std::exp(static_cast<double>(xf));
    worst = std::max(worst, std::abs(exp_nonpositive(xf) - exact) / exact);
  }
  CHECK(worst <= 2 * std::numeric_limits<float>::epsilon());
  CHECK(exp_nonpositive(0.0f) == 1.0f);
  CHECK(exp_nonpositive(-0.0f) == 1.0f);
  CHECK(exp_nonpositive(-88.0f) == 0.0f);  // below the smallest normal float
  CHECK(exp_nonpositive(-std::numeric_limits<float>::infinity()) == 0.0f);
  CHECK(std::isnan(exp_nonpositive(std::numeric_limits<float>::quiet_NaN())));
}
