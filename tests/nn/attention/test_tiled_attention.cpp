// The tiled path of attention (attention.h): when the score is a plain scaled dot product and no
// one needs the weights, attend() computes the context with flash_attention instead of storing
// the [..., T, S] scores. Every registered score that declares a dot_product_scale is checked:
// its scores must be that scale times q . k, and both paths must give the same context and
// gradients; a new score file is checked by its registry line alone.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "autograd/ops.h"
#include "nn/attention/attention.h"
#include "nn/attention/mask.h"
#include "nn/attention/multi_head_attention.h"
#include "nn/attention/registry.h"
#include "nn/layers/dropout.h"
#include "tensor/elementwise.h"
#include "tensor/matmul.h"
#include "tensor/random.h"

using namespace attn;

namespace {

constexpr int64_t B = 2, H = 2, T = 70, S = 66, E = 8;  // T S above the tiled path's threshold

struct Inputs {
  Tensor q, k, v, grad_out;  // [B, H, T, E], [B, H, S, E], [B, H, S, E], [B, H, T, E]
};

Inputs random_inputs(uint64_t seed) {
  Generator generator(seed);
  return {normal({B, H, T, E}, 0, 1, generator), normal({B, H, S, E}, 0, 1, generator),
          normal({B, H, S, E}, 0, 1, generator), normal({B, H, T, E}, 0, 1, generator)};
}

// A padding mask [B, 1, 1, S]: the second sequence's last 10 keys are padding.
Tensor padding(int64_t keys) {
  Tensor mask = Tensor::full({B, 1, 1, keys}, 1);
  for (int64_t s = keys - 10; s < keys; ++s) mask.at({1, 0, 0, s}) = 0;
  return mask;
}

struct Outcome {
  Tensor context, grad_q, grad_k, grad_v;
  bool made_weights;
};

Outcome run(ScoreFunction& score, const Inputs& in, const AttentionOptions& options) {
  const Variable q(in.q, true), k(in.k, true), v(in.v, true);
  const AttentionResult result = attend(score, q, k, v, options);
  result.context.backward(in.grad_out);
  return {result.context.value(), q.grad(), k.grad(), v.grad(), result.weights.defined()};
}

std::vector<std::string> dot_product_scores() {
  std::vector<std::string> names;
  for (const ScoreEntry& entry : score_functions()) {
    ScoreSpec spec;
    spec.query_dim = spec.key_dim = E;
    spec.heads = H;
    if (entry.make(spec)->dot_product_scale(E) > 0) names.push_back(entry.name);
  }
  return names;
}

void check_close(const Tensor& a, const Tensor& b, const std::string& what) {
  INFO(what);
  REQUIRE(a.shape() == b.shape());
  const std::vector<real> x = a.to_vector(), y = b.to_vector();
  double largest = 0;
  for (size_t i = 0; i < x.size(); ++i)
    largest = std::max(largest, std::abs(static_cast<double>(x[i]) - static_cast<double>(y[i])));
  CHECK(largest < (sizeof(real) == 4 ? 2e-5 : 1e-11));
}

}  // namespace

TEST_CASE("tiled attention: the scaled dot product scores declare themselves") {
  const std::vector<std::string> names = dot_product_scores();
  CHECK(std::find(names.begin(), names.end(), "scaled_dot") != names.end());
  CHECK(std::find(names.begin(), names.end(), "dot") != names.end());
  CHECK(std::find(names.begin(), names.end(), "additive") == names.end());
}

TEST_CASE("tiled attention: a declared scale is what scores() multiplies q . k by") {
  const Inputs in = random_inputs(3);
  for (const std::string& name : dot_product_scores()) {
    INFO(name);
    ScoreSpec spec;
    spec.query_dim = spec.key_dim = E;
    spec.heads = H;
    auto score = make_score_function(name, spec);
    ScoreContext context;
    context.kind = AttentionKind::cross;
    const Tensor scores = score->scores(Variable(in.q), Variable(in.k), context).value();
    const Tensor expected =
        mul_scalar(matmul(in.q, in.k.transpose(-2, -1)), score->dot_product_scale(E));
    check_close(scores, expected, "scores");
  }
}

TEST_CASE("tiled attention: the same context and gradients as the plain path, masks and all") {
  const Inputs in = random_inputs(5);
  const std::vector<std::pair<std::string, Tensor>> masks = {
      {"no mask", Tensor()},
      {"padding [B, 1, 1, S]", padding(S)},
      {"causal and padding [B, 1, T, S]",
       combine_masks(padding(S), causal_mask(T).narrow(3, 0, S))},
  };
  for (const std::string& name : dot_product_scores())
    for (const auto& [what, mask] : masks) {
      INFO(name << ", " << what);
      ScoreSpec spec;
      spec.query_dim = spec.key_dim = E;
      spec.heads = H;
      auto score = make_score_function(name, spec);
      AttentionOptions plain;
      plain.mask = mask;
      AttentionOptions tiled = plain;
      tiled.need_weights = false;
      const Outcome a = run(*score, in, plain), b = run(*score, in, tiled);
      CHECK(a.made_weights);
      CHECK_FALSE(b.made_weights);  // the tiled path ran
      check_close(b.context, a.context, "context");
      check_close(b.grad_q, a.grad_q, "dq");
      check_close(b.grad_k, a.grad_k, "dk");
      check_close(b.grad_v, a.grad_v, "dv");
    }
}

TEST_CASE("tiled attention: not taken for short sequences, active dropout or another score") {
  const Inputs in = random_inputs(7);
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = E;
  spec.heads = H;
  auto scaled = make_score_function("scaled_dot", spec);
  AttentionOptions unneeded;
  unneeded.need_weights = false;

  const Variable short_q(in.q.narrow(2, 0, 8)), short_k(in.k.narrow(2, 0, 8));
  const Variable short_v(in.v.narrow(2, 0, 8));
  CHECK(attend(*scaled, short_q, short_k, short_v, unneeded).weights.defined());

  Generator generator(1);
  Dropout dropout(0.1, generator);
  AttentionOptions dropped = unneeded;
  dropped.dropout = &dropout;
  CHECK(attend(*scaled, Variable(in.q), Variable(in.k), Variable(in.v), dropped).weights.defined());
  dropout.train(false);  // evaluation: the dropout does nothing, and the tiled path may run
  CHECK_FALSE(
      attend(*scaled, Variable(in.q), Variable(in.k), Variable(in.v), dropped).weights.defined());

  auto general = make_score_function("general", spec);
  CHECK(
      attend(*general, Variable(in.q), Variable(in.k), Variable(in.v), unneeded).weights.defined());
}

TEST_CASE("tiled attention: multi-head attention makes the weights when they are asked for") {
  Generator generator(11);
  MultiHeadAttention attention(16, 2, generator, 0.0, "scaled_dot", AttentionKind::self);
  attention.train(false);
  const Variable x(normal({1, 80, 16}, 0, 1, generator));  // [B, T, D]: 80 x 80 scores
  const Tensor mask = causal_mask(80);
  attention.forward(x, x, x, mask);
  const Tensor weights = attention.attention_weights();  // [B, H, T, S]
  REQUIRE(weights.shape() == Shape{1, 2, 80, 80});
  for (int64_t t = 0; t < 80; t += 13) {
    double row = 0;
    for (int64_t s = 0; s < 80; ++s) {
      row += weights.at({0, 1, t, s});
      if (s > t) CHECK(weights.at({0, 1, t, s}) == 0);  // causal: no weight on the future
    }
    CHECK(row == doctest::Approx(1));
  }
}
