// Attention's plumbing and every registered score function.
//
// The registry drives these tests: each check loops over score_functions(), so a new variant is
// gradient-checked (with its history, when it looks back), mask-checked, checked query by query
// against all at once (what the decoder's cache relies on), and checked without head axes, with
// no edit here. Sizes are tiny (B=2, H=2, T=3, S=4, E=3, Ev=2) so the suite stays fast under
// the sanitizers.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/attention/attention.h"
#include "nn/attention/mask.h"
#include "nn/attention/registry.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/join.h"
#include "tensor/random.h"
#include "tests/nn/attention/attend_one_gradcheck.h"
#include "tests/nn/attention/attention_test_inputs.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;
using namespace attn::attention_test;

namespace {

// [B, 1, T, S], 1 = may attend. Batch 0 pads its last key; batch 1 masks key 2 for every query
// and leaves query 1 nothing at all (a fully masked row).
//   batch 0:  1 1 1 0     batch 1:  1 0 0 0
//             1 1 1 0               0 0 0 0   <- fully masked
//             1 1 1 0               1 1 0 1
Tensor test_mask() {
  return Tensor::from_vector({B, 1, T, S}, {1, 1, 1, 0,  1, 1, 1, 0,  1, 1, 1, 0,
                                            1, 0, 0, 0,  0, 0, 0, 0,  1, 1, 0, 1});
}

// attend() with the keys prepared by the score, as multi-head attention does it.
AttentionResult run(ScoreFunction& score, const Variable& q, const Variable& k, const Variable& v,
                    const AttentionOptions& options = {}) {
  return attend(score, q, score.prepare_keys(k), v, options);
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

constexpr double kTolerance = sizeof(real) == sizeof(double) ? 1e-12 : 1e-5;

}  // namespace

// ---- tier 1: gradients ------------------------------------------------------------------------

TEST_CASE("attention: for every score function, gradients wrt queries, keys, values and the "
          "score's parameters match finite differences under a mask") {
  const Tensor mask = test_mask();
  for (const ScoreEntry& entry : score_functions()) {
    for (AttentionKind kind : {AttentionKind::cross, AttentionKind::self}) {
      CAPTURE(entry.name);
      CAPTURE(kind == AttentionKind::self);
      std::unique_ptr<ScoreFunction> score = make_for_tests(entry);
      const Inputs in = random_inputs();
      // A score that looks back is run query by query here, so its gradient flows along the
      // history too.
      const GradCheckResult result = gradcheck_with_parameters(
          *score,
          [&](const std::vector<Variable>& x) {
            return run(*score, x[0], x[1], x[2], with_mask(mask, kind)).context;  // [B, H, T, Ev]
          },
          {in.queries, in.keys, in.values});
      CAPTURE(result.report);
      CHECK(result.passed);
    }
  }
}

TEST_CASE(
    "attention: for every score function, attend_one's gradients match finite "
    "differences") {
  const Tensor mask = Tensor::from_vector({B, S}, {1, 1, 1, 0, 1, 0, 1, 1});
  check_attend_one_gradients_for_every_score(with_mask(mask), 21);
}

TEST_CASE("attention: additive score works when query and key widths differ") {
  ScoreSpec spec = spec_for_tests();
  spec.query_dim = 3;
  spec.key_dim = 5;
  std::unique_ptr<ScoreFunction> score = make_score_function("additive:hidden=4", spec);
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
      run(*score, Variable(queries), Variable(keys), Variable(values), with_mask(test_mask()));
  CHECK(out.context.shape() == Shape{B, H, T, Ev});
  CHECK(out.weights.shape() == Shape{B, H, T, S});

  const GradCheckResult result = gradcheck_with_parameters(
      *score, [&](const std::vector<Variable>& x) { return run(*score, x[0], x[1], x[2]).context; },
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
    const AttentionResult out = run(*score, q, k, v);
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
    const AttentionResult out = run(*score, q, k, v);
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
  const Tensor expected = run(*scaled, q, k, v).weights.value();
  CHECK(allclose(run(*learned, q, k, v).weights.value(), expected));
}

TEST_CASE("attention: alibi subtracts m_h |i - j| in self-attention, by absolute position") {
  // Two heads: m_1 = 2^-4 = 0.0625, m_2 = 2^-8 = 0.00390625. Zero queries make q.k = 0, so
  // the scores are the bias alone. Query 0 sits at position 5 (query_offset), keys at 3, 4, 5, 6.
  ScoreSpec spec = spec_for_tests();
  spec.query_dim = spec.key_dim = 2;
  auto alibi = make_score_function("alibi", spec);
  const Variable q(Tensor::zeros({1, 2, 1, 2})), k(Tensor::ones({1, 2, 4, 2}));
  ScoreContext context;
  context.kind = AttentionKind::self;
  context.query_offset = 5;
  context.key_offset = 3;
  const Tensor e = alibi->scores(q, k, context).value();  // [1, 2, 1, 4]
  // distances |5 - [3, 4, 5, 6]| = [2, 1, 0, 1]
  const std::vector<double> head1 = {-0.125, -0.0625, 0, -0.0625};
  const std::vector<double> head2 = {-0.0078125, -0.00390625, 0, -0.00390625};
  for (int64_t s = 0; s < 4; ++s) {
    CHECK(e.at({0, 0, 0, s}) == doctest::Approx(head1[static_cast<size_t>(s)]));
    CHECK(e.at({0, 1, 0, s}) == doctest::Approx(head2[static_cast<size_t>(s)]));
  }
  context.kind = AttentionKind::cross;  // target and source positions are not comparable
  for (real x : alibi->scores(q, k, context).value().to_vector()) CHECK(x == 0);
}

TEST_CASE("attention: alibi in cross-attention is scaled_dot; in self-attention it is not") {
  const Inputs in = random_inputs();
  auto alibi = make_score_function("alibi", spec_for_tests());
  auto scaled = make_score_function("scaled_dot", spec_for_tests());
  const Variable q(in.queries), k(in.keys), v(in.values);
  const Tensor expected = run(*scaled, q, k, v).weights.value();
  CHECK(allclose(run(*alibi, q, k, v).weights.value(), expected));
  AttentionOptions self;
  self.kind = AttentionKind::self;
  CHECK_FALSE(allclose(run(*alibi, q, k, v, self).weights.value(), expected));
}

TEST_CASE("attention: location_aware convolves the previous alignment, or the sum of all") {
  // The first query has no history: its scores are the content term alone. The second query's
  // scores change when the first query's alignment changes (it is convolved into them).
  ScoreSpec spec = spec_for_tests();
  spec.settings = "filters=2,width=3";
  auto score = make_score_function("location_aware", spec);
  const Inputs in = random_inputs();
  const Variable q(in.queries), k(score->prepare_keys(Variable(in.keys)));
  ScoreContext context;
  const Tensor alone = score->scores(q, k, context).value();  // no history: content only
  AlignmentHistory history;
  history.append(Variable(Tensor::full({B, H, 1, S}, 0.25)));
  context.history = &history;
  const Tensor uniform_before = score->scores(q, k, context).value();
  CHECK_FALSE(allclose(uniform_before, alone));
  AlignmentHistory peaked;
  peaked.append(
      Variable(Tensor::from_vector({1, 1, 1, S}, {1, 0, 0, 0}).expand({B, H, 1, S}).contiguous()));
  context.history = &peaked;
  CHECK_FALSE(allclose(score->scores(q, k, context).value(), uniform_before));

  // cumulative=true reads the sum of every earlier alignment.
  history.append(Variable(Tensor::full({B, H, 1, S}, 0.25)));  // cumulative now 0.5 everywhere
  CHECK(allclose(history.cumulative.value(), Tensor::full({B, H, 1, S}, 0.5)));
}

// ---- tier 3: invariants -----------------------------------------------------------------------

TEST_CASE("attention: for every score function, masked keys get exactly zero weight and "
          "unmasked rows sum to 1") {
  const Tensor mask = test_mask();
  const Inputs in = random_inputs();
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    auto score = make_for_tests(entry);
    const Tensor weights =
        run(*score, Variable(in.queries), Variable(in.keys), Variable(in.values), with_mask(mask))
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
    auto score = make_for_tests(entry);
    const Variable q(in.queries.clone(), true), k(in.keys.clone(), true);
    const Variable v(in.values.clone(), true);
    const AttentionResult out = run(*score, q, k, v, with_mask(mask));
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
    auto score = make_for_tests(entry);
    const Tensor before =
        run(*score, Variable(in.queries), Variable(in.keys), Variable(in.values), with_mask(mask))
            .context.value();

    Tensor keys = in.keys.clone(), values = in.values.clone();
    keys.narrow(0, 0, 1).narrow(2, 3, 1).fill(100);  // batch 0, key 3
    keys.narrow(0, 1, 1).narrow(2, 2, 1).fill(-7);   // batch 1, key 2
    values.narrow(0, 0, 1).narrow(2, 3, 1).fill(1e4);
    values.narrow(0, 1, 1).narrow(2, 2, 1).fill(-3);
    const Tensor after =
        run(*score, Variable(in.queries), Variable(keys), Variable(values), with_mask(mask))
            .context.value();
    CHECK(after.to_vector() == before.to_vector());  // exactly: masked terms are 0 * v
  }
}

// What the decoder's cache relies on, at the level of the plumbing: feeding the queries one at a
// time, each at its own position and with the history carried from call to call, gives what one
// call over all of them gives. In self-attention the keys also grow one at a time.
TEST_CASE(
    "attention: for every score function, one query at a time with a carried history "
    "equals all queries at once, in cross- and in causal self-attention") {
  const Inputs in = random_inputs();
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    auto score = make_for_tests(entry);
    const Variable keys = score->prepare_keys(Variable(in.keys));  // [B, H, S, *]
    const Variable values(in.values);

    SUBCASE("cross") {
      const Tensor all = attend(*score, Variable(in.queries), keys, values).context.value();
      AttentionOptions step;
      AlignmentHistory history;
      step.history = &history;
      for (int64_t t = 0; t < T; ++t) {
        step.query_offset = t;
        const Variable q(in.queries.narrow(2, t, 1).contiguous());
        const Tensor one = attend(*score, q, keys, values, step).context.value();
        CHECK(allclose(one, all.narrow(2, t, 1), kTolerance, kTolerance));
      }
    }
    SUBCASE("self") {
      // Self-attention over S positions: queries = the first T of a length-S sequence.
      const Tensor queries =
          concat({in.queries, in.queries.narrow(2, 0, S - T)}, 2);  // [B, H, S, E]
      AttentionOptions full = with_mask(causal_mask(S), AttentionKind::self);
      const Tensor all = attend(*score, Variable(queries), keys, values, full).context.value();
      AttentionOptions step;
      step.kind = AttentionKind::self;
      AlignmentHistory history;
      step.history = &history;
      for (int64_t t = 0; t < S; ++t) {
        step.query_offset = t;
        const Variable q(queries.narrow(2, t, 1).contiguous());
        const Variable k(keys.value().narrow(2, 0, t + 1).contiguous());  // the keys so far
        const Variable v(in.values.narrow(2, 0, t + 1).contiguous());
        const Tensor one = attend(*score, q, k, v, step).context.value();
        CHECK(allclose(one, all.narrow(2, t, 1), kTolerance, kTolerance));
      }
    }
  }
}

TEST_CASE("attention: for every score function, prepare_keys treats each key on its own") {
  const Inputs in = random_inputs();
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    auto score = make_for_tests(entry);
    const Tensor all = score->prepare_keys(Variable(in.keys)).value();
    const Tensor first =
        score->prepare_keys(Variable(in.keys.narrow(2, 0, 1).contiguous())).value();
    const Tensor rest =
        score->prepare_keys(Variable(in.keys.narrow(2, 1, S - 1).contiguous())).value();
    CHECK(allclose(concat({first, rest}, 2), all, kTolerance, kTolerance));
  }
}

TEST_CASE(
    "attention: for every score function, attend_one equals attend on one query row "
    "without a head axis") {
  Generator generator(22);
  const Tensor query = normal({B, E}, 0, 1, generator);
  const Tensor keys = normal({B, S, E}, 0, 1, generator);
  const Tensor values = normal({B, S, Ev}, 0, 1, generator);
  const Tensor mask = Tensor::from_vector({B, S}, {1, 1, 1, 0, 1, 0, 1, 1});
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    ScoreSpec spec = spec_for_tests();
    spec.heads = 1;
    auto score = entry.make(spec);
    const Variable k = score->prepare_keys(Variable(keys));
    const AttentionResult one =
        attend_one(*score, Variable(query), k, Variable(values), with_mask(mask));
    CHECK(one.context.shape() == Shape{B, Ev});
    CHECK(one.weights.shape() == Shape{B, S});
    const AttentionResult rows = attend(*score, Variable(query.view({B, 1, E})), k,
                                        Variable(values), with_mask(mask.view({B, 1, S})));
    CHECK(
        allclose(one.context.value(), rows.context.value().view({B, Ev}), kTolerance, kTolerance));
    CHECK(one.weights.value().at({0, 3}) == 0);  // masked
  }
}

TEST_CASE(
    "attention: a score's step after the softmax reweights the weights, and the history "
    "records them reweighted") {
  // A test-only score: dot product, then a window that keeps keys 0 and 1 only (no renormalising,
  // as Luong et al.'s local attention does not renormalise).
  class WindowedDot : public ScoreFunction {
   public:
    bool uses_history() const override { return true; }
    Variable scores(const Variable& q, const Variable& k, const ScoreContext&) override {
      return matmul(q, transpose(k, -2, -1));
    }
    Variable reweight(const Variable& weights, const Variable&, const ScoreContext&) override {
      const Tensor window = Tensor::from_vector({S}, {1, 1, 0, 0});
      return weights * Variable(window);
    }
  };
  WindowedDot score;
  const Inputs in = random_inputs();
  AlignmentHistory history;
  AttentionOptions options;
  options.history = &history;
  const AttentionResult out =
      attend(score, Variable(in.queries), Variable(in.keys), Variable(in.values), options);
  const Tensor w = out.weights.value();
  for (int64_t t = 0; t < T; ++t) {
    CHECK(w.at({0, 0, t, 2}) == 0);
    CHECK(w.at({0, 0, t, 3}) == 0);
    CHECK(w.at({0, 0, t, 0}) > 0);
  }
  CHECK(history.previous.value().to_vector() == w.narrow(2, T - 1, 1).contiguous().to_vector());
}
