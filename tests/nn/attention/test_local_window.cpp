// Luong et al.'s local attention (nn/attention/local_window.h): the window's keys, the
// predicted position and its Gaussian, by hand; gradients through both windows.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "autograd/ops.h"
#include "nn/attention/attention.h"
#include "nn/attention/local_window.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

constexpr int64_t B = 2, S = 6, R = 3;

std::unique_ptr<LocalWindow> window(WindowKind kind, int64_t half_width, const std::string& score) {
  Generator generator(11);
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = R;
  spec.seed = 5;
  return std::make_unique<LocalWindow>(make_score_function(score, spec), kind, half_width, R,
                                       generator);
}

// Row 0 has 6 real positions, row 1 only 3.
const Tensor kMask = Tensor::from_vector({B, S}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0});

AttentionResult attend_at(LocalWindow& local, const Tensor& queries, const Tensor& keys,
                          int64_t t) {
  AttentionOptions options;
  options.mask = kMask;
  options.query_offset = t;
  return attend_one(local, Variable(queries), local.prepare_keys(Variable(keys)), Variable(keys),
                    options);
}

}  // namespace

TEST_CASE("local-m: step t sees only the keys within D of t, clamped to the source's end") {
  const auto local = window(WindowKind::monotonic, 1, "dot");
  Generator generator(3);
  const Tensor queries = normal({B, R}, 0, 1, generator), keys = normal({B, S, R}, 0, 1, generator);
  // t = 2: row 0 sees 1, 2, 3. t = 5: row 0 sees 4, 5; row 1 (3 long) centres on its last
  // position 2 and sees 1, 2.
  const Tensor at2 = attend_at(*local, queries, keys, 2).weights.value();  // [B, S]
  for (int64_t s = 0; s < S; ++s) CHECK((at2.at({0, s}) > 0) == (s >= 1 && s <= 3));
  const Tensor at5 = attend_at(*local, queries, keys, 5).weights.value();
  for (int64_t s = 0; s < S; ++s) {
    CAPTURE(s);
    CHECK((at5.at({0, s}) > 0) == (s >= 4));
    CHECK((at5.at({1, s}) > 0) == (s == 1 || s == 2));
  }
  CHECK(at5.at({0, 4}) + at5.at({0, 5}) == doctest::Approx(1));  // a softmax over the window
}

TEST_CASE("local-p: p_t = S sigmoid(v_p^T tanh(W_p h_t)) and a Gaussian of sigma D/2 around it") {
  const auto local = window(WindowKind::predictive, 2, "dot");
  // W_p = 0 makes tanh(W_p h) = 0, so p_t = S * sigmoid(0) = S / 2 for any query.
  local->w_p.mutable_value().fill(0);
  const Tensor queries = Tensor::ones({B, R}), keys = Tensor::zeros({B, S, R});
  ScoreContext context;
  context.mask = kMask.unsqueeze(1);  // [B, 1, S], as attend_one hands it on
  const Tensor p = local->centres(Variable(queries.unsqueeze(1)), context, S).value();
  CHECK(p.at({0, 0, 0}) == doctest::Approx(3.0));  // 6 / 2
  CHECK(p.at({1, 0, 0}) == doctest::Approx(1.5));  // 3 / 2
  // Equal scores (zero keys): the window [p - 2, p + 2] shares 1 evenly, then the Gaussian
  // exp(-(s - p)^2 / (2 * 1^2)). Row 0, p = 3: keys 1..5 -> 1/5 each; s = 1 gets 0.2 e^-2.
  const Tensor weights = attend_at(*local, queries, keys, 0).weights.value();
  CHECK(weights.at({0, 0}) == 0);
  CHECK(weights.at({0, 1}) == doctest::Approx(0.2 * std::exp(-2.0)));
  CHECK(weights.at({0, 3}) == doctest::Approx(0.2));
  // Row 1, p = 1.5: real keys 0..2 all within 2 -> 1/3 each; s = 0 gets exp(-1.125) / 3.
  CHECK(weights.at({1, 0}) == doctest::Approx(std::exp(-1.125) / 3));
  CHECK(weights.at({1, 3}) == 0);
}

TEST_CASE("local windows: gradients match finite differences, W_p and v_p included") {
  for (WindowKind kind : {WindowKind::monotonic, WindowKind::predictive}) {
    CAPTURE(static_cast<int>(kind));
    const auto local = window(kind, 1, "general");
    Generator generator(9);
    const Tensor queries = normal({B, R}, 0, 1, generator);
    const Tensor keys = normal({B, S, R}, 0, 1, generator);
    const auto f = [&](const std::vector<Variable>& x) {
      AttentionOptions options;
      options.mask = kMask;
      options.query_offset = 1;
      return attend_one(*local, x[0], local->prepare_keys(x[1]), x[1], options).context;
    };
    const GradCheckResult result = gradcheck_with_parameters(*local, f, {queries, keys});
    CHECK_MESSAGE(result.passed, result.report);
  }
}

TEST_CASE("local window: a half-width below 1 or a missing score is refused") {
  Generator generator(1);
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = R;
  CHECK_THROWS_WITH_AS(
      LocalWindow(make_score_function("dot", spec), WindowKind::monotonic, 0, R, generator),
      doctest::Contains("half-width D must be at least 1, got 0"), Error);
  CHECK_THROWS_WITH_AS(LocalWindow(nullptr, WindowKind::monotonic, 1, R, generator),
                       doctest::Contains("needs a score function"), Error);
}
