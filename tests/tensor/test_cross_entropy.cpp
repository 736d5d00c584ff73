// Tests for tensor/cross_entropy.h: hand-computed losses, smoothing, ignored rows, gradients,
// target validation.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "tensor/cross_entropy.h"
#include "tensor/error.h"
#include "tests/tensor/reference.h"

using namespace attn;
using attn::test::check_close;
using attn::test::numeric_gradient;

namespace {

// float carries ~7 significant digits, double ~16: each check allows a few roundings' worth.
constexpr double kTol = sizeof(real) == sizeof(float) ? 1e-5 : 1e-12;
constexpr double kGradTol = sizeof(real) == sizeof(float) ? 2e-5 : 1e-7;
const double kLn2 = std::log(2.0);

// Deterministic, irregular values in (-2, 2).
std::vector<real> wiggly(int64_t count, double seed) {
  std::vector<real> values;
  for (int64_t i = 0; i < count; ++i) values.push_back(real(2 * std::sin(seed + 1.7 * i)));
  return values;
}

// PyTorch's F.cross_entropy(z, t, ignore_index, label_smoothing=e) in double, from the
// definition: mean over counted rows of -sum_j q_j log_softmax(z)_j.
double reference(const std::vector<double>& z, const std::vector<int64_t>& targets, int64_t V,
                 int64_t ignore_index, double e) {
  double total = 0;
  int64_t count = 0;
  for (size_t r = 0; r < targets.size(); ++r) {
    if (targets[r] == ignore_index) continue;
    double sum = 0;
    for (int64_t j = 0; j < V; ++j) sum += std::exp(z[r * V + j]);
    for (int64_t j = 0; j < V; ++j) {
      const double q = (j == targets[r] ? 1 - e : 0) + e / V;
      total -= q * (z[r * V + j] - std::log(sum));
    }
    ++count;
  }
  return count > 0 ? total / count : 0;
}

}  // namespace

// ---- known values -----------------------------------------------------------------------------

TEST_CASE("cross_entropy: two equal logits cost ln 2") {
  // p = log_softmax([0, 0]) = [-ln 2, -ln 2]; loss = -p_0 = ln 2 = 0.6931472
  const CrossEntropyForward out =
      cross_entropy_forward(Tensor::zeros({1, 2}), Tensor::zeros({1}), -1, 0);
  CHECK(double(out.loss.item()) == doctest::Approx(kLn2).epsilon(kTol));
  CHECK(out.loss.shape() == Shape{});
  CHECK(out.count == 1);
  check_close(out.log_probs.to_vector(), {-kLn2, -kLn2}, kTol);
}

TEST_CASE("cross_entropy: label smoothing mixes in the uniform distribution") {
  // z = [0, ln 3], t = 0: p = [-ln 4, ln 3 - ln 4] = [-1.3862944, -0.2876821]
  // e = 0:   loss = ln 4 = 1.3862944
  // e = 0.2: q = [1 - 0.2 + 0.1, 0.1] = [0.9, 0.1],
  //          loss = 0.9 * 1.3862944 + 0.1 * 0.2876821 = 1.2476649 + 0.0287682 = 1.2764331
  const Tensor z = Tensor::from_vector({1, 2}, {0, real(std::log(3.0))});
  const Tensor t = Tensor::zeros({1});
  CHECK(double(cross_entropy_forward(z, t, -1, 0).loss.item()) ==
        doctest::Approx(1.3862943611198906).epsilon(kTol));
  CHECK(double(cross_entropy_forward(z, t, -1, real(0.2)).loss.item()) ==
        doctest::Approx(1.2764331322530795).epsilon(kTol));
}

TEST_CASE("cross_entropy: smoothing does not change the loss of a uniform prediction") {
  // p_j = -ln 2 for every j and sum_j q_j = 1, so loss = ln 2 for any e
  const CrossEntropyForward out =
      cross_entropy_forward(Tensor::zeros({1, 2}), Tensor::ones({1}), -1, real(0.3));
  CHECK(double(out.loss.item()) == doctest::Approx(kLn2).epsilon(kTol));
}

TEST_CASE("cross_entropy: logits of 1000 neither overflow nor lose the loss") {
  // p = log_softmax([1000, 0]) = [0, -1000]: target 0 costs 0, target 1 costs 1000
  const Tensor z = Tensor::from_vector({2, 2}, {1000, 0, 1000, 0});
  const CrossEntropyForward out = cross_entropy_forward(z, Tensor::from_vector({2}, {0, 1}), -1, 0);
  CHECK(double(out.loss.item()) == doctest::Approx(500).epsilon(kTol));  // (0 + 1000) / 2
}

TEST_CASE("cross_entropy: a masked class (-inf logit) costs nothing without smoothing") {
  // p = [-ln 2, -ln 2, -inf]; loss = ln 2, and no 0 * -inf = NaN from the masked class
  const real inf = std::numeric_limits<real>::infinity();
  const Tensor z = Tensor::from_vector({1, 3}, {0, 0, -inf});
  CHECK(double(cross_entropy_forward(z, Tensor::zeros({1}), -1, 0).loss.item()) ==
        doctest::Approx(kLn2).epsilon(kTol));
}

// ---- ignored rows -----------------------------------------------------------------------------

TEST_CASE("cross_entropy: rows whose target is ignore_index do not count") {
  // Row 0 costs ln 2, row 1 is ignored: the mean is over 1 row, not 2.
  const Tensor z = Tensor::from_vector({2, 2}, {0, 0, 5, -5});
  const Tensor t = Tensor::from_vector({2}, {0, -100});
  const CrossEntropyForward out = cross_entropy_forward(z, t, -100, 0);
  CHECK(out.count == 1);
  CHECK(double(out.loss.item()) == doctest::Approx(kLn2).epsilon(kTol));
  const Tensor dz = cross_entropy_backward(out.log_probs, t, out.count, -100, 0, 1);
  // softmax([0, 0]) - onehot(0) = [-0.5, 0.5]; the ignored row gets nothing
  check_close(dz.to_vector(), {-0.5, 0.5, 0, 0}, kTol);
}

TEST_CASE("cross_entropy: ignore_index may be a real class, such as padding id 0") {
  const Tensor z = Tensor::from_vector({2, 2}, {0, 0, 7, 7});
  const CrossEntropyForward out = cross_entropy_forward(z, Tensor::from_vector({2}, {0, 1}), 0, 0);
  CHECK(out.count == 1);
  CHECK(double(out.loss.item()) == doctest::Approx(kLn2).epsilon(kTol));
}

TEST_CASE("cross_entropy: when every row is ignored the loss and gradient are zero") {
  const Tensor z = Tensor::from_vector({2, 3}, wiggly(6, 0.5));
  const Tensor t = Tensor::full({2}, -1);
  const CrossEntropyForward out = cross_entropy_forward(z, t, -1, real(0.1));
  CHECK(out.count == 0);
  CHECK(out.loss.item() == 0);
  const Tensor dz = cross_entropy_backward(out.log_probs, t, 0, -1, real(0.1), 1);
  for (real v : dz.to_vector()) CHECK(v == 0);
}

// ---- backward ---------------------------------------------------------------------------------

TEST_CASE("cross_entropy: backward matches finite differences, with smoothing and ignored rows") {
  const int64_t N = 4, V = 5, ignore = 3;
  const std::vector<int64_t> targets = {2, ignore, 0, 4};
  const real e = real(0.1), grad_loss = real(0.7);
  const Tensor z = Tensor::from_vector({N, V}, wiggly(N * V, 0.3));
  const Tensor t = Tensor::from_vector({N}, {2, 3, 0, 4});
  const CrossEntropyForward out = cross_entropy_forward(z, t, ignore, e);
  const Tensor dz = cross_entropy_backward(out.log_probs, t, out.count, ignore, e, grad_loss);

  const std::vector<real> zr = z.to_vector();
  const std::vector<double> zd(zr.begin(), zr.end());
  CHECK(double(out.loss.item()) ==
        doctest::Approx(reference(zd, targets, V, ignore, e)).epsilon(kTol));
  auto loss = [&](const std::vector<double>& zs) {
    return grad_loss * reference(zs, targets, V, ignore, e);
  };
  check_close(dz.to_vector(), numeric_gradient(loss, zd), kGradTol);
}

TEST_CASE("cross_entropy: rows spread over threads match a row at a time") {
  const int64_t N = 64, V = 1024;  // enough rows to be split into several chunks
  const Tensor z = Tensor::from_vector({N, V}, wiggly(N * V, 0.6));
  std::vector<real> classes;
  for (int64_t r = 0; r < N; ++r) classes.push_back(real((r * 37) % V));
  const Tensor t = Tensor::from_vector({N}, classes);
  const CrossEntropyForward all = cross_entropy_forward(z, t, -1, real(0.1));
  const std::vector<real> dz =
      cross_entropy_backward(all.log_probs, t, N, -1, real(0.1), 1).to_vector();
  const int64_t r = N - 1;
  const Tensor one_t = Tensor::from_vector({1}, {classes[r]});
  const CrossEntropyForward one = cross_entropy_forward(z.narrow(0, r, 1), one_t, -1, real(0.1));
  const std::vector<real> one_dz =
      cross_entropy_backward(one.log_probs, one_t, 1, -1, real(0.1), 1).to_vector();
  // The full gradient is divided by N rows, the single one by 1.
  for (int64_t j = 0; j < V; ++j)
    CHECK(double(dz[r * V + j]) * N == doctest::Approx(one_dz[j]).epsilon(kTol));
}

// ---- errors -----------------------------------------------------------------------------------

TEST_CASE("cross_entropy: a target out of range or not whole is an error naming it") {
  const Tensor z({2, 4});
  CHECK_THROWS_WITH_AS(cross_entropy_forward(z, Tensor::from_vector({2}, {0, 4}), -1, 0),
                       "cross_entropy: target 4 is out of range for 4 classes", Error);
  CHECK_THROWS_WITH_AS(cross_entropy_forward(z, Tensor::from_vector({2}, {-2, 0}), -1, 0),
                       "cross_entropy: target -2 is out of range for 4 classes", Error);
  CHECK_THROWS_WITH_AS(cross_entropy_forward(z, Tensor::from_vector({2}, {1.5, 0}), -1, 0),
                       "cross_entropy: target 1.5 is not a whole number (4 classes)", Error);
  const real nan = std::numeric_limits<real>::quiet_NaN();
  CHECK_THROWS_WITH_AS(cross_entropy_forward(z, Tensor::from_vector({2}, {0, nan}), -1, 0),
                       "cross_entropy: target nan is not a whole number (4 classes)", Error);
  CHECK_THROWS_WITH_AS(cross_entropy_backward(z, Tensor::from_vector({2}, {0, 9}), 2, -1, 0, 1),
                       "cross_entropy_backward: target 9 is out of range for 4 classes", Error);
}

TEST_CASE("cross_entropy: logits that are not [N, V] or targets not [N] are errors naming shapes") {
  CHECK_THROWS_WITH_AS(cross_entropy_forward(Tensor({4}), Tensor({1}), -1, 0),
                       "cross_entropy: logits must be [N, V], got [4]", Error);
  CHECK_THROWS_WITH_AS(cross_entropy_forward(Tensor({2, 4}), Tensor({3}), -1, 0),
                       "cross_entropy: targets [3] must be [2], one class per row of logits [2,4]",
                       Error);
  CHECK_THROWS_WITH_AS(cross_entropy_forward(Tensor({2, 0}), Tensor({2}), -1, 0),
                       "cross_entropy: logits [2,0] have no classes", Error);
}

TEST_CASE("cross_entropy: label smoothing outside [0, 1] is an error") {
  CHECK_THROWS_WITH_AS(cross_entropy_forward(Tensor({2, 4}), Tensor({2}), -1, real(1.5)),
                       "cross_entropy: label_smoothing 1.5 must be in [0, 1]", Error);
}

TEST_CASE("cross_entropy: backward with a count that disagrees with the targets is an error") {
  CHECK_THROWS_WITH_AS(
      cross_entropy_backward(Tensor({2, 4}), Tensor::from_vector({2}, {0, -1}), 2, -1, 0, 1),
      "cross_entropy_backward: count 2 differs from 1, the number of rows whose target is not "
      "ignore_index",
      Error);
}
