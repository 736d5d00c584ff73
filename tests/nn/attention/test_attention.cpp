// Attention's plumbing and every registered score function.
//
// The registry drives these tests: each check loops over score_functions(), so a new variant is
// gradient-checked and mask-checked with no edit here. Sizes are tiny (B=2, H=2, T=3, S=4, E=3,
// Ev=2) so the suite stays fast under the sanitizers.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/attention/attention.h"
#include "nn/attention/registry.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

constexpr int64_t B = 2, H = 2, T = 3, S = 4, E = 3, Ev = 2;

ScoreSpec spec_for_tests() {
  ScoreSpec spec;
  spec.query_dim = E;
  spec.key_dim = E;
  spec.max_source_length = S + 1;  // room to spare: location needs S <= this
  spec.seed = 42;
  return spec;
}

struct Inputs {
  Tensor queries;  // [B, H, T, E]
  Tensor keys;     // [B, H, S, E]
  Tensor values;   // [B, H, S, Ev]
};

Inputs random_inputs(uint64_t seed = 7) {
  Generator generator(seed);
  Inputs in;
  in.queries = normal({B, H, T, E}, 0, 1, generator);
  in.keys = normal({B, H, S, E}, 0, 1, generator);
  in.values = normal({B, H, S, Ev}, 0, 1, generator);
  return in;
}

// [B, 1, T, S], 1 = may attend. Batch 0 pads its last key; batch 1 masks key 2 for every query
// and leaves query 1 nothing at all (a fully masked row).
//   batch 0:  1 1 1 0     batch 1:  1 0 0 0
//             1 1 1 0               0 0 0 0   <- fully masked
//             1 1 1 0               1 1 0 1
Tensor test_mask() {
  return Tensor::from_vector({B, 1, T, S}, {1, 1, 1, 0,  1, 1, 1, 0,  1, 1, 1, 0,
                                            1, 0, 0, 0,  0, 0, 0, 0,  1, 1, 0, 1});
}

bool fully_masked(const Tensor& mask, int64_t b, int64_t t) {
  for (int64_t s = 0; s < S; ++s)
    if (mask.at({b, 0, t, s}) != 0) return false;
  return true;
}

bool all_finite(const Tensor& t) {
  for (real x : t.to_vector())
    if (!std::isfinite(x)) return false;
  return true;
}

// True when no gradient reached v (location ignores its keys) or every element is finite.
bool grad_is_finite(const Variable& v) { return !v.has_grad() || all_finite(v.grad()); }

}  // namespace

// ---- tier 1: gradients ------------------------------------------------------------------------

TEST_CASE("attention: for every score function, gradients wrt queries, keys, values and the "
          "score's parameters match finite differences under a mask") {
  const Tensor mask = test_mask();
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    std::unique_ptr<ScoreFunction> score = entry.make(spec_for_tests());
    const Inputs in = random_inputs();
    const GradCheckResult result = gradcheck_with_parameters(
        *score,
        [&](const std::vector<Variable>& x) {
          return attend(*score, x[0], x[1], x[2], mask).context;  // [B, H, T, Ev]
        },
        {in.queries, in.keys, in.values});
    CAPTURE(result.report);
    CHECK(result.passed);
  }
}

TEST_CASE("attention: additive score works when query and key widths differ") {
  ScoreSpec spec = spec_for_tests();
  spec.query_dim = 3;
  spec.key_dim = 5;
  spec.hidden_dim = 4;
  std::unique_ptr<ScoreFunction> score = make_score_function("additive", spec);
  const auto named = score->named_parameters();
  REQUIRE(named.size() == 3);
  CHECK(named[0].first == "w_q");
  CHECK(named[0].second.shape() == Shape{4, 3});  // W_q [A, Eq]
  CHECK(named[1].second.shape() == Shape{4, 5});  // W_k [A, Ek]
  CHECK(named[2].second.shape() == Shape{4});     // v [A]

  Generator generator(3);
  const Tensor queries = normal({B, H, T, 3}, 0, 1, generator);
  const Tensor keys = normal({B, H, S, 5}, 0, 1, generator);
  const Tensor values = normal({B, H, S, Ev}, 0, 1, generator);
  const AttentionResult out =
      attend(*score, Variable(queries), Variable(keys), Variable(values), test_mask());
  CHECK(out.context.shape() == Shape{B, H, T, Ev});
  CHECK(out.weights.shape() == Shape{B, H, T, S});

  const GradCheckResult result = gradcheck_with_parameters(
      *score,
      [&](const std::vector<Variable>& x) { return attend(*score, x[0], x[1], x[2]).context; },
      {queries, keys, values});
  CAPTURE(result.report);
  CHECK(result.passed);
}

// ---- tier 2: known values ---------------------------------------------------------------------

// One query q = [1, 2] and two keys k1 = [1, 0], k2 = [0, 1], values v1 = [1, 0], v2 = [0, 10].
TEST_CASE("attention: dot and scaled_dot give the hand-computed weights and context") {
  const Variable q(Tensor::from_vector({1, 1, 1, 2}, {1, 2}));
  const Variable k(Tensor::from_vector({1, 1, 2, 2}, {1, 0, 0, 1}));
  const Variable v(Tensor::from_vector({1, 1, 2, 2}, {1, 0, 0, 10}));

  SUBCASE("dot") {
    // e = [q.k1, q.k2] = [1, 2]
    // a = [1, e] / (1 + e) = [1 / 3.718282, 2.718282 / 3.718282] = [0.268941, 0.731059]
    // c = 0.268941 * [1, 0] + 0.731059 * [0, 10] = [0.268941, 7.310586]
    auto score = make_score_function("dot", spec_for_tests());
    const AttentionResult out = attend(*score, q, k, v);
    CHECK(out.weights.value().at({0, 0, 0, 0}) == doctest::Approx(0.268941).epsilon(1e-5));
    CHECK(out.weights.value().at({0, 0, 0, 1}) == doctest::Approx(0.731059).epsilon(1e-5));
    CHECK(out.context.value().at({0, 0, 0, 0}) == doctest::Approx(0.268941).epsilon(1e-5));
    CHECK(out.context.value().at({0, 0, 0, 1}) == doctest::Approx(7.310586).epsilon(1e-5));
  }
  SUBCASE("scaled_dot") {
    // d_k = 2: e = [1, 2] / sqrt(2) = [0.707107, 1.414214], a difference of 0.707107
    // a = [1, e^0.707107] / (1 + e^0.707107) = [1, 2.028115] / 3.028115 = [0.330238, 0.669762]
    // c = [0.330238, 6.697615]
    auto score = make_score_function("scaled_dot", spec_for_tests());
    const AttentionResult out = attend(*score, q, k, v);
    CHECK(out.weights.value().at({0, 0, 0, 0}) == doctest::Approx(0.330238).epsilon(1e-5));
    CHECK(out.weights.value().at({0, 0, 0, 1}) == doctest::Approx(0.669762).epsilon(1e-5));
    CHECK(out.context.value().at({0, 0, 0, 0}) == doctest::Approx(0.330238).epsilon(1e-5));
    CHECK(out.context.value().at({0, 0, 0, 1}) == doctest::Approx(6.697615).epsilon(1e-5));
  }
}

TEST_CASE("attention: learned_temperature starts out equal to scaled_dot") {
  const Inputs in = random_inputs();
  auto scaled = make_score_function("scaled_dot", spec_for_tests());
  auto learned = make_score_function("learned_temperature", spec_for_tests());
  const Variable q(in.queries), k(in.keys), v(in.values);
  const Tensor expected = attend(*scaled, q, k, v).weights.value();
  CHECK(allclose(attend(*learned, q, k, v).weights.value(), expected));
}

// ---- tier 3: mask invariants ------------------------------------------------------------------

TEST_CASE("attention: for every score function, masked keys get exactly zero weight and "
          "unmasked rows sum to 1") {
  const Tensor mask = test_mask();
  const Inputs in = random_inputs();
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    auto score = entry.make(spec_for_tests());
    const Tensor weights =
        attend(*score, Variable(in.queries), Variable(in.keys), Variable(in.values), mask)
            .weights.value();
    REQUIRE(weights.shape() == Shape{B, H, T, S});
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t t = 0; t < T; ++t) {
          double row_sum = 0;
          for (int64_t s = 0; s < S; ++s) {
            const real a = weights.at({b, h, t, s});
            if (mask.at({b, 0, t, s}) == 0) CHECK(a == 0);
            row_sum += a;
          }
          CHECK(row_sum == doctest::Approx(fully_masked(mask, b, t) ? 0.0 : 1.0).epsilon(1e-5));
        }
  }
}

TEST_CASE("attention: for every score function, a fully masked query row gives zero weights, a "
          "zero context and finite gradients, never NaN") {
  const Tensor mask = test_mask();  // batch 1, query 1 may attend to nothing
  const Inputs in = random_inputs();
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    auto score = entry.make(spec_for_tests());
    const Variable q(in.queries.clone(), true), k(in.keys.clone(), true);
    const Variable v(in.values.clone(), true);
    const AttentionResult out = attend(*score, q, k, v, mask);
    for (int64_t h = 0; h < H; ++h) {
      for (int64_t s = 0; s < S; ++s) CHECK(out.weights.value().at({1, h, 1, s}) == 0);
      for (int64_t e = 0; e < Ev; ++e) CHECK(out.context.value().at({1, h, 1, e}) == 0);
    }
    CHECK(all_finite(out.context.value()));

    (sum(out.context * out.context) + sum(out.weights)).backward();
    CHECK(grad_is_finite(q));
    CHECK(grad_is_finite(k));
    CHECK(grad_is_finite(v));
    CHECK(q.has_grad());
    CHECK(v.has_grad());
    for (const auto& [name, parameter] : score->named_parameters()) {
      CAPTURE(name);
      REQUIRE(parameter.has_grad());
      CHECK(all_finite(parameter.grad()));
    }
  }
}

TEST_CASE("attention: for every score function, changing a masked key or value never changes "
          "the output") {
  const Tensor mask = test_mask();  // key 3 of batch 0 and key 2 of batch 1: masked for all t
  const Inputs in = random_inputs();
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    auto score = entry.make(spec_for_tests());
    const Tensor before =
        attend(*score, Variable(in.queries), Variable(in.keys), Variable(in.values), mask)
            .context.value();

    Tensor keys = in.keys.clone(), values = in.values.clone();
    keys.narrow(0, 0, 1).narrow(2, 3, 1).fill(100);  // batch 0, key 3
    keys.narrow(0, 1, 1).narrow(2, 2, 1).fill(-7);   // batch 1, key 2
    values.narrow(0, 0, 1).narrow(2, 3, 1).fill(1e4);
    values.narrow(0, 1, 1).narrow(2, 2, 1).fill(-3);
    const Tensor after =
        attend(*score, Variable(in.queries), Variable(keys), Variable(values), mask)
            .context.value();
    CHECK(after.to_vector() == before.to_vector());  // exactly: masked terms are 0 * v
  }
}

// ---- the registry -----------------------------------------------------------------------------

TEST_CASE("registry: names are unique, each has a description, and each builds a score function "
          "that maps [B, H, T, E] x [B, H, S, E] to [B, H, T, S]") {
  const Inputs in = random_inputs();
  std::vector<std::string> seen;
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    for (const std::string& name : seen) CHECK(name != entry.name);
    seen.push_back(entry.name);
    CHECK(!entry.description.empty());
    auto score = make_score_function(entry.name, spec_for_tests());
    REQUIRE(score != nullptr);
    CHECK(score->scores(Variable(in.queries), Variable(in.keys)).shape() == Shape{B, H, T, S});
  }
  CHECK(seen.size() >= 7);
}

TEST_CASE("registry: parametrised score functions draw the same initial parameters from the same "
          "seed") {
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    const StateDict a = entry.make(spec_for_tests())->state_dict();
    const StateDict b = entry.make(spec_for_tests())->state_dict();
    REQUIRE(a.size() == b.size());
    for (const auto& [name, value] : a) CHECK(value.to_vector() == b.at(name).to_vector());
  }
}

TEST_CASE("registry: an unknown name is an error that lists every known name") {
  try {
    make_score_function("no_such_score", spec_for_tests());
    FAIL("expected an error");
  } catch (const Error& error) {
    const std::string message = error.what();
    CHECK(message.find("no_such_score") != std::string::npos);
    for (const ScoreEntry& entry : score_functions()) {
      CAPTURE(entry.name);
      CHECK(message.find(entry.name) != std::string::npos);
    }
  }
}

// ---- errors -----------------------------------------------------------------------------------

TEST_CASE("attention: location score rejects a source longer than max_source_length") {
  ScoreSpec spec = spec_for_tests();
  spec.max_source_length = S - 1;
  auto score = make_score_function("location", spec);
  const Inputs in = random_inputs();
  CHECK_THROWS_WITH_AS(score->scores(Variable(in.queries), Variable(in.keys)),
                       doctest::Contains("exceeds max_source_length 3"), Error);
  spec.max_source_length = 0;
  CHECK_THROWS_WITH_AS(make_score_function("location", spec),
                       doctest::Contains("max_source_length"), Error);
}

TEST_CASE("attention: mismatched shapes are errors naming attention and the shapes") {
  auto score = make_score_function("scaled_dot", spec_for_tests());
  const Inputs in = random_inputs();
  const Variable q(in.queries), k(in.keys), v(in.values);
  CHECK_THROWS_WITH_AS(attend(*score, q, k, Variable(Tensor::zeros({B, H, S + 1, Ev}))),
                       doctest::Contains("attention: keys [2,2,4,3] and values [2,2,5,2]"), Error);
  CHECK_THROWS_WITH_AS(attend(*score, Variable(Tensor::zeros({T, E})), k, v),
                       doctest::Contains("attention: queries must be [B, H, T, Eq], got [3,3]"),
                       Error);
  CHECK_THROWS_WITH_AS(attend(*score, q, k, v, Tensor::ones({B, 1, 1, S + 1})),
                       doctest::Contains("attention: mask [2,1,1,5] does not broadcast"), Error);
  CHECK_THROWS_WITH_AS(
      attend(*score, Variable(Tensor::zeros({B, H, T, E + 1})), k, v),
      doctest::Contains("scaled_dot score: query width 4 differs from key width 3"), Error);
}

// ---- the guide ---------------------------------------------------------------------------------

TEST_CASE("docs: the README's worked example is the real learned_temperature.h, word for word") {
  auto read = [](const std::string& path) {
    std::ifstream file(std::string(ATTN_SOURCE_DIR) + "/" + path);
    REQUIRE(file.good());
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  };
  const std::string header = read("nn/attention/scores/learned_temperature.h");
  const std::string guide = read("README.md");
  CHECK(guide.find(header) != std::string::npos);
  CHECK(guide.find("make<LearnedTemperatureScore>") != std::string::npos);
}
