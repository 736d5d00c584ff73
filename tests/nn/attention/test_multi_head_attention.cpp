// Multi-head attention, for every registered score function.
//
// Sizes are tiny (B=2, H=2, E=3 so D=6, T=3, S=4) so the gradient checks, which cover every
// input element and every parameter, stay fast under the sanitizers.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/attention/mask.h"
#include "nn/attention/multi_head_attention.h"
#include "nn/attention/registry.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

namespace {

constexpr int64_t B = 2, H = 2, D = 6, T = 3, S = 4;

// Padding of the source [B, S]: batch 0 is full, batch 1 ends in two pads (token 0).
Tensor source_padding() {
  return padding_mask(Tensor::from_vector({B, S}, {5, 6, 7, 8,  5, 6, 0, 0}), 0);  // [B, 1, 1, S]
}

// Rows [B, H, T, S] of the last call's weights sum to 1 (no row in these tests is fully masked).
void check_rows_sum_to_one(const Tensor& weights) {
  const std::vector<real> a = weights.contiguous().to_vector();
  const int64_t n = weights.size(-1);
  for (size_t row = 0; row < a.size(); row += n) {
    double total = 0;
    for (int64_t s = 0; s < n; ++s) total += a[row + s];
    CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
  }
}

}  // namespace

// ---- tier 1: gradients ------------------------------------------------------------------------

TEST_CASE("multi_head_attention: for every score function, cross-attention gradients wrt query, "
          "key, value and all parameters match finite differences under a padding mask") {
  const Tensor mask = source_padding();
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    Generator generator(11);
    MultiHeadAttention attention(D, H, generator, 0, entry.name, AttentionKind::cross);
    const Tensor query = normal({B, T, D}, 0, 1, generator);
    const Tensor key = normal({B, S, D}, 0, 1, generator);
    const Tensor value = normal({B, S, D}, 0, 1, generator);
    const GradCheckResult result = gradcheck_with_parameters(
        attention,
        [&](const std::vector<Variable>& x) { return attention.forward(x[0], x[1], x[2], mask); },
        {query, key, value});
    CAPTURE(result.report);
    CHECK(result.passed);
  }
}

TEST_CASE("multi_head_attention: for every score function, causal self-attention gradients wrt "
          "the input and all parameters match finite differences") {
  const Tensor mask = causal_mask(T);  // [1, 1, T, T]
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    Generator generator(12);
    MultiHeadAttention attention(D, H, generator, 0, entry.name, AttentionKind::self);
    const Tensor x = normal({B, T, D}, 0, 1, generator);
    const GradCheckResult result = gradcheck_with_parameters(
        attention,
        [&](const std::vector<Variable>& in) {
          return attention.forward(in[0], in[0], in[0], mask);  // self-attention: x is q, k, v
        },
        {x});
    CAPTURE(result.report);
    CHECK(result.passed);
  }
}

// ---- tier 3: invariants -----------------------------------------------------------------------

TEST_CASE("multi_head_attention: for every score function, under a causal mask changing a future "
          "token never changes an earlier output") {
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    Generator generator(13);
    MultiHeadAttention attention(D, H, generator, 0, entry.name, AttentionKind::self);
    const Tensor x = normal({B, T, D}, 0, 1, generator);
    const Variable before_input(x);
    const Tensor before = attention.forward(before_input, before_input, before_input,
                                            causal_mask(T)).value();
    for (int64_t future = 1; future < T; ++future) {
      CAPTURE(future);
      Tensor changed = x.clone();
      changed.narrow(1, future, 1).fill(3);  // token `future` of every batch row
      const Variable input(changed);
      const Tensor after = attention.forward(input, input, input, causal_mask(T)).value();
      // Outputs 0 .. future-1 are exactly unchanged.
      CHECK(after.narrow(1, 0, future).contiguous().to_vector() ==
            before.narrow(1, 0, future).contiguous().to_vector());
      // ... and the changed token's own output does change: the test can see a change.
      CHECK(after.narrow(1, future, 1).contiguous().to_vector() !=
            before.narrow(1, future, 1).contiguous().to_vector());
    }
  }
}

TEST_CASE(
    "multi_head_attention: for every score function, the cache gives forward's outputs "
    "one position at a time, in self- and in cross-attention") {
  constexpr double tolerance = sizeof(real) == sizeof(double) ? 1e-12 : 1e-5;
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    Generator generator(23);
    MultiHeadAttention self(D, H, generator, 0, entry.name, AttentionKind::self);
    MultiHeadAttention cross(D, H, generator, 0, entry.name, AttentionKind::cross);
    self.eval();
    cross.eval();
    const Variable x(normal({B, T, D}, 0, 1, generator));
    const Variable memory(normal({B, S, D}, 0, 1, generator));
    const Tensor self_all = self.forward(x, x, x, causal_mask(T)).value();  // [B, T, D]
    const Tensor cross_all = cross.forward(x, memory, memory, source_padding()).value();
    AttentionCache self_cache;
    AttentionCache cross_cache = cross.start_cache(memory);
    for (int64_t t = 0; t < T; ++t) {
      CAPTURE(t);
      const Variable position(x.value().narrow(1, t, 1).contiguous());  // [B, 1, D]
      const Tensor self_one = self.forward_step(position, self_cache).value();
      const Tensor cross_one =
          cross.forward_cached(position, cross_cache, source_padding(), t).value();
      CHECK(allclose(self_one, self_all.narrow(1, t, 1), tolerance, tolerance));
      CHECK(allclose(cross_one, cross_all.narrow(1, t, 1), tolerance, tolerance));
    }
    CHECK(self_cache.length() == T);
  }
}

TEST_CASE(
    "multi_head_attention: the cache prepares the memory's keys once, and each new "
    "position's once") {
  // A dot score that counts the keys it prepares.
  class CountingDot : public ScoreFunction {
   public:
    explicit CountingDot(int64_t* prepared) : prepared_(prepared) {}
    Variable prepare_keys(const Variable& keys) override {
      *prepared_ += keys.size(-2);
      return keys;
    }
    Variable scores(const Variable& q, const Variable& k, const ScoreContext&) override {
      return matmul(q, transpose(k, -2, -1));
    }

   private:
    int64_t* prepared_;
  };
  int64_t prepared = 0;
  const auto counting = [&prepared](const ScoreSpec&) {
    return std::make_unique<CountingDot>(&prepared);
  };
  Generator generator(24);
  MultiHeadAttention cross(D, H, generator, 0, counting, AttentionKind::cross);
  MultiHeadAttention self(D, H, generator, 0, counting, AttentionKind::self);
  const Variable memory(normal({B, S, D}, 0, 1, generator));
  const Variable x(normal({B, T, D}, 0, 1, generator));
  AttentionCache cross_cache = cross.start_cache(memory);
  CHECK(prepared == S);  // the memory's S keys, once
  AttentionCache self_cache;
  for (int64_t t = 0; t < T; ++t) {
    const Variable position(x.value().narrow(1, t, 1).contiguous());
    cross.forward_cached(self.forward_step(position, self_cache), cross_cache, Tensor(), t);
  }
  CHECK(prepared == S + T);  // and each new target position's key, once
}

TEST_CASE("multi_head_attention: attention_weights holds every head's weights [B, H, T, S], rows "
          "summing to 1 and padded keys at exactly 0") {
  for (const ScoreEntry& entry : score_functions()) {
    CAPTURE(entry.name);
    Generator generator(14);
    MultiHeadAttention attention(D, H, generator, 0, entry.name, AttentionKind::cross);
    CHECK(attention.heads() == H);
    const Variable query(normal({B, T, D}, 0, 1, generator));
    const Variable memory(normal({B, S, D}, 0, 1, generator));
    const Variable out = attention.forward(query, memory, memory, source_padding());
    CHECK(out.shape() == Shape{B, T, D});  // cross-attention, T != S
    const Tensor& weights = attention.attention_weights();
    REQUIRE(weights.shape() == Shape{B, H, T, S});
    check_rows_sum_to_one(weights);
    for (int64_t h = 0; h < H; ++h)
      for (int64_t t = 0; t < T; ++t) {
        CHECK(weights.at({1, h, t, 2}) == 0);  // batch 1's pads
        CHECK(weights.at({1, h, t, 3}) == 0);
      }
  }
}

TEST_CASE("multi_head_attention: dropout on the weights acts in training only; the reported "
          "weights are the softmax before dropout") {
  Generator generator(15);
  MultiHeadAttention attention(D, H, generator, 0.5);
  const Variable x(normal({B, T, D}, 0, 1, generator));
  attention.eval();
  const Tensor first = attention.forward(x, x, x).value();
  const Tensor second = attention.forward(x, x, x).value();
  CHECK(first.to_vector() == second.to_vector());
  attention.train();
  const Tensor dropped = attention.forward(x, x, x).value();
  CHECK(dropped.to_vector() != first.to_vector());
  check_rows_sum_to_one(attention.attention_weights());
}

// ---- structure and errors ---------------------------------------------------------------------

TEST_CASE("multi_head_attention: parameters are named w_q, w_k, w_v, w_o and score") {
  Generator generator(16);
  MultiHeadAttention attention(D, H, generator, 0, "general");
  std::vector<std::string> names;
  for (const auto& [name, parameter] : attention.named_parameters()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"w_q.weight", "w_q.bias", "w_k.weight", "w_k.bias",
                                          "w_v.weight", "w_v.bias", "w_o.weight", "w_o.bias",
                                          "score.weight"});
  CHECK(attention.parameter_count() == 4 * (D * D + D) + (D / H) * (D / H));
}

TEST_CASE("multi_head_attention: d_model not divisible by heads is an error") {
  Generator generator(17);
  CHECK_THROWS_WITH_AS(MultiHeadAttention(10, 3, generator),
                       doctest::Contains("d_model 10 is not divisible by heads 3"), Error);
}

TEST_CASE("multi_head_attention: an unknown score function is an error listing the known ones") {
  Generator generator(18);
  CHECK_THROWS_WITH_AS(MultiHeadAttention(D, H, generator, 0, "nope"),
                       doctest::Contains("known: dot, scaled_dot"), Error);
}

TEST_CASE("multi_head_attention: inputs of the wrong width or rank are errors naming the shapes") {
  Generator generator(19);
  MultiHeadAttention attention(D, H, generator);
  const Variable x(Tensor::zeros({B, T, D}));
  const Variable narrow_input(Tensor::zeros({B, T, D - 1}));
  CHECK_THROWS_WITH_AS(attention.forward(x, narrow_input, narrow_input),
                       doctest::Contains("d_model = 6, got query [2,3,6], key [2,3,5]"), Error);
  CHECK_THROWS_WITH_AS(attention.forward(Variable(Tensor::zeros({T, D})), x, x),
                       doctest::Contains("multi_head_attention: expects query [B, T, D]"), Error);
}
