// Attention pooling (nn/attention/attention_pooling.h): gradients, the invariants of attention
// (rows sum to 1, padding weighs exactly 0, padding changes nothing), the penalty by hand, and
// every registered score function as the pooling's score.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "autograd/ops.h"
#include "nn/attention/attention_pooling.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

constexpr int64_t B = 2, S = 4, D = 3;

// Small settings where a score has them, as the attention tests make them.
AttentionPoolingOptions options_for(const std::string& score) {
  AttentionPoolingOptions options;
  options.input_dim = D;
  options.attention_dim = 3;
  options.hops = 2;
  options.score = score == "location_aware" ? "location_aware:filters=2,width=3" : score;
  return options;
}

Tensor random_states(uint64_t seed = 3) {
  Generator generator(seed);
  return normal({B, S, D}, 0, 1, generator);  // [B, S, D]
}

// Row 0 has 4 real words, row 1 has 2 and 2 of padding.
Tensor padding() { return Tensor::from_vector({B, S}, {1, 1, 1, 1, 1, 1, 0, 0}); }

std::string error_of(const std::function<void()>& run) {
  try {
    run();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("attention pooling: gradients wrt the states, W_s1, W_s2 and the score match finite "
          "differences under padding") {
  Generator generator(5);
  AttentionPooling pooling(options_for("dot"), generator);
  const Tensor mask = padding();
  const GradCheckResult result = gradcheck_with_parameters(
      pooling,
      [&](const std::vector<Variable>& x) { return pooling.forward(x[0], mask).summary; },  // [B, r, D]
      {random_states()});
  CAPTURE(result.report);
  CHECK(result.passed);
}

TEST_CASE("attention pooling: each row of A sums to 1 and padded positions weigh exactly 0") {
  Generator generator(5);
  AttentionPooling pooling(options_for("dot"), generator);
  const PoolingResult result = pooling.forward(Variable(random_states()), padding());
  const Tensor A = result.weights.value();
  CHECK(A.shape() == Shape{B, 2, S});
  CHECK(result.summary.shape() == Shape{B, 2, D});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < 2; ++i) {
      double total = 0;
      for (int64_t s = 0; s < S; ++s) total += A.at({b, i, s});
      CHECK(total == doctest::Approx(1).epsilon(1e-6));
    }
  CHECK(A.at({1, 0, 2}) == 0);
  CHECK(A.at({1, 0, 3}) == 0);
  CHECK(A.at({1, 1, 2}) == 0);
  CHECK(A.at({1, 1, 3}) == 0);
}

TEST_CASE("attention pooling: a sentence alone gives what it gives padded in a batch") {
  Generator generator(5);
  AttentionPooling pooling(options_for("dot"), generator);
  const Tensor states = random_states();
  Tensor garbage = random_states();  // the same states; what padding holds must not matter
  for (int64_t s = 2; s < S; ++s)
    for (int64_t d = 0; d < D; ++d) garbage.at({1, s, d}) = 100;
  const PoolingResult batched = pooling.forward(Variable(garbage), padding());
  const Tensor alone_states = states.narrow(0, 1, 1).narrow(1, 0, 2).contiguous();  // [1, 2, D]
  const PoolingResult alone = pooling.forward(Variable(alone_states));
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t d = 0; d < D; ++d)
      CHECK(batched.summary.value().at({1, i, d}) ==
            doctest::Approx(alone.summary.value().at({0, i, d})).epsilon(1e-6));
    for (int64_t s = 0; s < 2; ++s)
      CHECK(batched.weights.value().at({1, i, s}) ==
            doctest::Approx(alone.weights.value().at({0, i, s})).epsilon(1e-6));
  }
}

TEST_CASE("attention pooling: with the dot score, A is Lin et al.'s softmax(W_s2 tanh(W_s1 H^T))") {
  Generator generator(5);
  AttentionPooling pooling(options_for("dot"), generator);
  const Tensor H = random_states();
  const Tensor A = pooling.forward(Variable(H)).weights.value();  // [B, r, S]
  // The formula written out without the plumbing: [B, S, d_a] -> scores [B, r, S] -> softmax.
  const Variable keys = tanh(matmul(Variable(H), transpose(pooling.w_s1, 0, 1)));
  const Tensor expected = softmax(matmul(pooling.w_s2, transpose(keys, 1, 2)), 2).value();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t s = 0; s < S; ++s)
        CHECK(A.at({b, i, s}) == doctest::Approx(expected.at({b, i, s})).epsilon(1e-6));
}

TEST_CASE("attention pooling: the penalty ||A A^T - I||_F^2 has the value computed by hand") {
  // Sentence 0: A = [[1, 0, 0], [0.5, 0.5, 0]]
  //   A A^T = [[1, 0.5], [0.5, 0.5]],  A A^T - I = [[0, 0.5], [0.5, -0.5]]
  //   ||.||_F^2 = 0 + 0.25 + 0.25 + 0.25 = 0.75
  // Sentence 1: A = [[1, 0, 0], [0, 1, 0]]: A A^T = I, so 0.
  // Mean over the batch: (0.75 + 0) / 2 = 0.375
  const Tensor A = Tensor::from_vector({2, 2, 3}, {1, 0, 0, 0.5, 0.5, 0,  //
                                                   1, 0, 0, 0, 1, 0});
  CHECK(redundancy_penalty(Variable(A)).item() == doctest::Approx(0.375).epsilon(1e-6));
}

TEST_CASE("attention pooling: the penalty's gradient matches finite differences") {
  Generator generator(9);
  const Tensor A = uniform({2, 3, 4}, 0.05f, 0.6f, generator);  // away from nothing in particular
  const GradCheckResult result =
      gradcheck([](const std::vector<Variable>& x) { return redundancy_penalty(x[0]); }, {A});
  CAPTURE(result.report);
  CHECK(result.passed);
}

TEST_CASE("attention pooling: a wrong shape is an error naming the op and both shapes") {
  Generator generator(5);
  AttentionPooling pooling(options_for("dot"), generator);
  CHECK(error_of([&] { pooling.forward(Variable(Tensor::zeros({2, 4, 5}))); }) ==
        "AttentionPooling: states must be [B, S, 3], got [2,4,5]");
  CHECK(error_of([&] { pooling.forward(Variable(random_states()), Tensor::ones({2, 3})); }) ==
        "AttentionPooling: mask must be [B, S] = [2,4] like the states [2,4,3], got [2,3]");
  CHECK(error_of([&] { redundancy_penalty(Variable(Tensor::zeros({2, 3}))); }) ==
        "redundancy_penalty: weights must be A [B, r, S], got [2,3]");
  AttentionPoolingOptions none = options_for("dot");
  none.hops = 0;
  CHECK(error_of([&] { AttentionPooling bad(none, generator); }) ==
        "AttentionPooling: needs input_dim, attention_dim and hops >= 1, got 3, 3 and 0");
}

TEST_CASE("attention pooling: works with every registered score function: gradients, rows "
          "summing to 1, padding at 0") {
  const Tensor mask = padding();
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    Generator generator(5);
    AttentionPooling pooling(options_for(entry.name), generator);
    const GradCheckResult result = gradcheck_with_parameters(
        pooling,
        [&](const std::vector<Variable>& x) { return pooling.forward(x[0], mask).summary; },
        {random_states()});
    CAPTURE(result.report);
    CHECK(result.passed);
    const Tensor A = pooling.forward(Variable(random_states()), mask).weights.value();
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < 2; ++i) {
        double total = 0;
        for (int64_t s = 0; s < S; ++s) total += A.at({b, i, s});
        CHECK(total == doctest::Approx(1).epsilon(1e-5));
      }
    CHECK(A.at({1, 0, 2}) == 0);
    CHECK(A.at({1, 1, 3}) == 0);
  }
}
