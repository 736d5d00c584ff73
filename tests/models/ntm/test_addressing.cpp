// NTM addressing (models/ntm/addressing.h): each stage by hand, each stage's gradient alone, and
// the chain through attention as a head uses it.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "models/ntm/addressing.h"
#include "models/ntm/heads.h"
#include "nn/attention/attention.h"
#include "nn/attention/registry.h"
#include "tensor/random.h"

using namespace attn;

namespace {

Tensor values(const Shape& shape, const std::vector<real>& v) {
  return Tensor::from_vector(shape, v);
}

// Rows summing to 1, away from 0 (so that sharpening's log is smooth): [rows, n]
Tensor distribution(int64_t rows, int64_t n, uint64_t seed) {
  Generator generator(seed);
  Tensor logits = normal({rows, n}, 0, 1, generator);
  return softmax(Variable(logits), -1).value();
}

void check_close(const Tensor& got, const std::vector<real>& expected, double tolerance = 1e-5) {
  REQUIRE(got.numel() == static_cast<int64_t>(expected.size()));
  const Tensor flat = got.contiguous();
  for (size_t i = 0; i < expected.size(); ++i)
    CHECK(flat.data()[i] == doctest::Approx(expected[i]).epsilon(tolerance));
}

}  // namespace

TEST_CASE("ntm addressing: interpolation mixes content and previous weights by g") {
  // g = 0.25: 0.25 * [1, 0, 0] + 0.75 * [0, 0.5, 0.5] = [0.25, 0.375, 0.375]
  const Variable w = interpolate(Variable(values({1, 3}, {1, 0, 0})),
                                 Variable(values({1, 3}, {0, 0.5, 0.5})),
                                 Variable(values({1, 1}, {0.25})));
  check_close(w.value(), {0.25, 0.375, 0.375});
}

TEST_CASE("ntm addressing: the circular shift rotates the weights, wrapping around") {
  const Variable w(values({1, 4}, {0.1, 0.2, 0.3, 0.4}));
  // s = [1, 0, 0] on offsets -1, 0, +1: w~(i) = w(i + 1 mod 4), a step towards the start
  check_close(circular_shift(w, Variable(values({1, 3}, {1, 0, 0}))).value(), {0.2, 0.3, 0.4, 0.1});
  // s on +1: w~(i) = w(i - 1 mod 4); the last weight wraps to the front
  check_close(circular_shift(w, Variable(values({1, 3}, {0, 0, 1}))).value(), {0.4, 0.1, 0.2, 0.3});
  // half on 0, half on +1: w~(0) = 0.5 * 0.1 + 0.5 * 0.4 = 0.25, w~(1) = 0.5 * 0.2 + 0.5 * 0.1, ...
  check_close(circular_shift(w, Variable(values({1, 3}, {0, 0.5, 0.5}))).value(),
              {0.25, 0.15, 0.25, 0.35});
}

TEST_CASE("ntm addressing: sharpening raises to gamma and renormalises") {
  // gamma = 2: [0.2, 0.8]^2 = [0.04, 0.64], / 0.68 = [0.0588235, 0.9411765]
  const Variable w = sharpen(Variable(values({1, 2}, {0.2, 0.8})), Variable(values({1, 1}, {2})));
  check_close(w.value(), {0.04 / 0.68, 0.64 / 0.68});
  // gamma = 1 changes nothing
  check_close(sharpen(Variable(values({1, 2}, {0.2, 0.8})), Variable(values({1, 1}, {1}))).value(),
              {0.2, 0.8});
}

TEST_CASE("ntm addressing: the content step is the registered cosine score with the query's beta") {
  ScoreSpec spec;
  spec.query_dim = 3;
  spec.key_dim = 2;
  auto score = make_score_function("cosine:strength=query", spec);
  // key [1, 0] with beta 2 against rows [1, 0], [0, 1], [-1, 0]: cos = 1, 0, -1
  const Variable query(values({1, 3}, {1, 0, 2}));
  const Variable memory(values({1, 3, 2}, {1, 0, 0, 1, -1, 0}));
  const AttentionResult result = attend_one(*score, query, memory, memory);
  const double z = std::exp(2.0) + 1 + std::exp(-2.0);
  check_close(result.weights.value(), {std::exp(2.0) / z, 1 / z, std::exp(-2.0) / z});
  CHECK(score->parameter_count() == 0);  // beta comes with the query, not from a parameter
}

TEST_CASE("ntm addressing: each stage's gradient matches finite differences") {
  const Tensor w_c = distribution(2, 5, 1), w_prev = distribution(2, 5, 2);
  const Tensor gate = values({2, 1}, {0.3, 0.8}), shifts = distribution(2, 3, 3);
  const Tensor gamma = values({2, 1}, {1.5, 2.5});
  GradCheckResult result = gradcheck(
      [](const std::vector<Variable>& v) { return interpolate(v[0], v[1], v[2]); },
      {w_c, w_prev, gate});
  CHECK_MESSAGE(result.passed, result.report);
  result = gradcheck(
      [](const std::vector<Variable>& v) { return circular_shift(v[0], v[1]); }, {w_c, shifts});
  CHECK_MESSAGE(result.passed, result.report);
  result = gradcheck([](const std::vector<Variable>& v) { return sharpen(v[0], v[1]); },
                     {w_c, gamma});
  CHECK_MESSAGE(result.passed, result.report);
}

TEST_CASE("ntm addressing: the whole chain, from the head's raw parameters through attention") {
  AddressingLayout layout;
  layout.memory_width = 3;
  layout.max_shift = 1;
  NtmAddressing addressing(layout);
  Generator generator(5);
  const Tensor raw = normal({2, layout.width()}, 0, 1, generator);  // [B, W]
  const Tensor memory = normal({2, 6, 3}, 0, 1, generator);        // [B, N, M]
  const Tensor previous = distribution(2, 6, 6).unsqueeze(1);      // [B, 1, N]
  const GradCheckResult result = gradcheck(
      [&](const std::vector<Variable>& v) {
        AlignmentHistory history;
        history.append(Variable(previous));
        AttentionOptions options;
        options.history = &history;
        const Variable query = addressing_query(v[0], layout);
        const AttentionResult read = attend_one(addressing, query, v[1], v[1], options);
        return concat({read.context, read.weights}, -1);  // [B, M + N]
      },
      {raw, memory});
  CHECK_MESSAGE(result.passed, result.report);
}

TEST_CASE("ntm addressing: a head starts on row 0 and walks the rows by its shift") {
  AddressingLayout layout;
  layout.memory_width = 2;
  layout.max_shift = 1;
  NtmAddressing addressing(layout);
  // key [1, 0], beta 1; g = 0: ignore content, keep the previous weights; all shift on +1;
  // gamma 1. Each step then moves the weight one row on: rows 1, 2, 3, then round to 0.
  const Variable query(values({1, 8}, {1, 0, 1, 0, 0, 0, 1, 1}));
  const Variable memory(Tensor::full({1, 4, 2}, 0.5));
  AlignmentHistory history;
  AttentionOptions options;
  options.history = &history;
  for (const std::vector<real>& expected : std::vector<std::vector<real>>{
           {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}, {1, 0, 0, 0}}) {
    const Tensor w = attend_one(addressing, query, memory, memory, options).weights.value();
    for (size_t i = 0; i < expected.size(); ++i)
      CHECK(w.at({0, static_cast<int64_t>(i)}) == doctest::Approx(expected[i]).epsilon(1e-6));
  }
}

TEST_CASE("ntm addressing: the weights are a distribution, and a mask is refused") {
  AddressingLayout layout;
  layout.memory_width = 4;
  layout.max_shift = 2;
  NtmAddressing addressing(layout);
  Generator generator(7);
  const Variable query = addressing_query(Variable(normal({3, layout.width()}, 0, 3, generator)),
                                          layout);
  const Variable memory(normal({3, 8, 4}, 0, 1, generator));
  AlignmentHistory history;
  AttentionOptions options;
  options.history = &history;
  for (int step = 0; step < 3; ++step) {
    const Tensor w = attend_one(addressing, query, memory, memory, options).weights.value();
    for (int64_t b = 0; b < 3; ++b) {
      double total = 0;
      for (int64_t i = 0; i < 8; ++i) {
        CHECK(w.at({b, i}) >= 0);
        total += w.at({b, i});
      }
      CHECK(total == doctest::Approx(1).epsilon(1e-5));
    }
  }
  options.mask = Tensor::ones({3, 8});
  CHECK_THROWS_WITH(attend_one(addressing, query, memory, memory, options),
                    doctest::Contains("the memory has no padding"));
}
