// Encoder and decoder layers and stacks: gradients, the two invariants that make them correct,
// and the parameter names a checkpoint relies on.
//
//   gradients   every layer, post-LN and pre-LN, against finite differences (attn::gradcheck)
//               with respect to its inputs (and the decoder's memory); dropout 0. The layers
//               use GELU here, smooth everywhere, so no finite difference straddles a ReLU kink
//               (the ReLU op has its own row in the autograd gradient-check table).
//   causality   decoder outputs at positions < k never depend on target position k (§3.2.3),
//               with every registered score function
//   padding     masked source positions never change the outputs at real positions
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "autograd/gradcheck.h"
#include "nn/attention/registry.h"
#include "nn/transformer/decoder.h"
#include "nn/transformer/encoder.h"
#include "nn/attention/mask.h"
#include "tensor/elementwise.h"
#include "tensor/random.h"
#include "tensor/reduce.h"

using namespace attn;

namespace {

constexpr int64_t B = 2, S = 4, T = 3, D = 8;

LayerConfig small_config(NormPlacement norm) {
  LayerConfig config;
  config.d_model = D;
  config.heads = 2;
  config.d_ff = 16;
  config.dropout = 0;
  config.norm = norm;
  config.activation = Activation::gelu;
  return config;
}

Tensor random(const Shape& shape, uint64_t seed) {
  Generator generator(seed);
  return normal(shape, 0, 1, generator);
}

// Source tokens [B, S] whose second row ends in two pads (pad = 0), as a mask [B, 1, 1, S].
Tensor source_mask() {
  return padding_mask(Tensor::from_vector({B, S}, {3, 4, 5, 6, 3, 4, 0, 0}), 0);
}

bool has_parameter(const Module& module, const std::string& name) {
  const auto named = module.named_parameters();
  return std::any_of(named.begin(), named.end(),
                     [&](const auto& entry) { return entry.first == name; });
}

// Rows [0, k) of y [B, L, D] along dimension 1.
Tensor first_positions(const Variable& y, int64_t k) { return y.value().narrow(1, 0, k).clone(); }

const NormPlacement kPlacements[] = {NormPlacement::post, NormPlacement::pre};

const char* name_of(NormPlacement norm) { return norm == NormPlacement::post ? "post" : "pre"; }

}  // namespace

// ---- gradients --------------------------------------------------------------------------------

TEST_CASE("encoder layer: gradient wrt its input matches finite differences, post-LN and pre-LN") {
  for (NormPlacement norm : kPlacements) {
    CAPTURE(name_of(norm));
    Generator generator(1);
    EncoderLayer layer(small_config(norm), generator);
    const Tensor mask = source_mask();
    const GradCheckResult result = gradcheck(
        [&](const std::vector<Variable>& in) { return layer.forward(in[0], mask); },
        {random({B, S, D}, 2)});
    CHECK_MESSAGE(result.passed, result.report);
  }
}

TEST_CASE("decoder layer: gradients wrt its input and the memory match finite differences") {
  for (NormPlacement norm : kPlacements) {
    CAPTURE(name_of(norm));
    Generator generator(3);
    DecoderLayer layer(small_config(norm), generator);
    const Tensor target_mask = causal_mask(T);  // [1, 1, T, T]
    const Tensor memory_mask = source_mask();   // [B, 1, 1, S]
    const GradCheckResult result = gradcheck(
        [&](const std::vector<Variable>& in) {
          return layer.forward(in[0], in[1], target_mask, memory_mask);
        },
        {random({B, T, D}, 4), random({B, S, D}, 5)});
    CHECK_MESSAGE(result.passed, result.report);
  }
}

TEST_CASE("encoder and decoder stacks: gradients through two layers match finite differences") {
  for (NormPlacement norm : kPlacements) {
    CAPTURE(name_of(norm));
    Generator generator(6);
    Encoder encoder(small_config(norm), 2, generator);
    Decoder decoder(small_config(norm), 2, generator);
    const Tensor target_mask = causal_mask(T), memory_mask = source_mask();
    const GradCheckResult result = gradcheck(
        [&](const std::vector<Variable>& in) {
          const Variable memory = encoder.forward(in[0], memory_mask);  // [B, S, D]
          return decoder.forward(in[1], memory, target_mask, memory_mask);  // [B, T, D]
        },
        {random({B, S, D}, 7), random({B, T, D}, 8)});
    CHECK_MESSAGE(result.passed, result.report);
  }
}

// ---- invariants -------------------------------------------------------------------------------

// Every registered score function, so a new variant is checked inside the decoder as well.
TEST_CASE("decoder: changing target position k never changes the outputs at positions < k") {
  for (const ScoreEntry& score : score_functions()) {
    for (NormPlacement norm : kPlacements) {
      CAPTURE(score.name);
      CAPTURE(name_of(norm));
      LayerConfig config = small_config(norm);
      config.score = score.name;
      Generator generator(9);
      Decoder decoder(config, 2, generator);
      const int64_t length = 5;
      const Tensor y = random({B, length, D}, 10), memory = random({B, S, D}, 11);
      const Tensor mask = causal_mask(length);
      const Tensor reference =
          decoder.forward(Variable(y), Variable(memory), mask, Tensor()).value();
      for (int64_t k = 0; k < length; ++k) {
        CAPTURE(k);
        Tensor changed = y.clone();
        changed.narrow(1, k, 1).copy_from(random({B, 1, D}, 100 + k));  // a new token at k
        const Variable out = decoder.forward(Variable(changed), Variable(memory), mask, Tensor());
        // Exactly equal: masked scores become -inf, so position k gets weight exactly 0.
        CHECK(allclose(first_positions(out, k), reference.narrow(1, 0, k), 0, 0));
        if (k + 1 < length)  // and the change is seen from k on: the test can fail
          CHECK_FALSE(allclose(out.value().narrow(1, k, 1), reference.narrow(1, k, 1)));
      }
    }
  }
}

TEST_CASE("encoder: changing a padded source position never changes the real positions' outputs") {
  for (NormPlacement norm : kPlacements) {
    CAPTURE(name_of(norm));
    Generator generator(12);
    Encoder encoder(small_config(norm), 2, generator);
    const Tensor x = random({B, S, D}, 13), mask = source_mask();  // row 1: positions 2, 3 pad
    Tensor changed = x.clone();
    changed.narrow(0, 1, 1).narrow(1, 2, 2).copy_from(random({1, 2, D}, 14));
    const Tensor before = encoder.forward(Variable(x), mask).value();
    const Tensor after = encoder.forward(Variable(changed), mask).value();
    CHECK(allclose(after.narrow(0, 0, 1), before.narrow(0, 0, 1), 0, 0));  // row 0: all real
    CHECK(allclose(after.narrow(0, 1, 1).narrow(1, 0, 2), before.narrow(0, 1, 1).narrow(1, 0, 2),
                   0, 0));  // row 1: the two real positions
  }
}

TEST_CASE("decoder: changing the memory at a padded source position never changes the output") {
  for (NormPlacement norm : kPlacements) {
    CAPTURE(name_of(norm));
    Generator generator(15);
    Decoder decoder(small_config(norm), 2, generator);
    const Tensor y = random({B, T, D}, 16), memory = random({B, S, D}, 17);
    Tensor changed = memory.clone();
    changed.narrow(0, 1, 1).narrow(1, 2, 2).copy_from(random({1, 2, D}, 18));
    const Tensor mask = causal_mask(T), memory_mask = source_mask();
    const Tensor before = decoder.forward(Variable(y), Variable(memory), mask, memory_mask).value();
    const Tensor after = decoder.forward(Variable(y), Variable(changed), mask, memory_mask).value();
    CHECK(allclose(after, before, 0, 0));
  }
}

TEST_CASE("decoder: cross-attention weights are [B, H, T, S] rows that sum to 1, 0 on padding") {
  Generator generator(19);
  Decoder decoder(small_config(NormPlacement::post), 2, generator);
  decoder.forward(Variable(random({B, T, D}, 20)), Variable(random({B, S, D}, 21)),
                  causal_mask(T), source_mask());
  for (int64_t layer = 0; layer < decoder.size(); ++layer) {
    const Tensor& weights = decoder.cross_attention_weights(layer);
    REQUIRE(weights.shape() == Shape{B, 2, T, S});
    CHECK(allclose(sum(weights, -1), Tensor::ones({B, 2, T}), 1e-5, 1e-5));
    CHECK(allclose(weights.narrow(0, 1, 1).narrow(3, 2, 2), Tensor::zeros({1, 2, T, 2}), 0, 0));
    CHECK(&weights == &decoder.layer(layer).cross_attention().attention_weights());
  }
  CHECK_THROWS(decoder.cross_attention_weights(2));
}

TEST_CASE("encoder: self-attention weights are [B, H, S, S], exactly 0 on padded keys") {
  Generator generator(27);
  Encoder encoder(small_config(NormPlacement::post), 2, generator);
  encoder.forward(Variable(random({B, S, D}, 28)), source_mask());
  for (int64_t layer = 0; layer < encoder.size(); ++layer) {
    const Tensor& weights = encoder.layer(layer).self_attention().attention_weights();
    REQUIRE(weights.shape() == Shape{B, 2, S, S});
    CHECK(allclose(weights.narrow(0, 1, 1).narrow(3, 2, 2), Tensor::zeros({1, 2, S, 2}), 0, 0));
  }
}

// ---- structure --------------------------------------------------------------------------------

TEST_CASE("encoder and decoder: parameters are named layers.N.<sublayer>, as checkpoints expect") {
  Generator generator(22);
  Encoder encoder(small_config(NormPlacement::post), 2, generator);
  Decoder decoder(small_config(NormPlacement::post), 2, generator);
  CHECK(has_parameter(encoder, "layers.0.self_attn.w_q.weight"));
  CHECK(has_parameter(encoder, "layers.1.feed_forward.linear2.bias"));
  CHECK(has_parameter(encoder, "layers.1.self_attn_norm.weight"));
  CHECK(has_parameter(decoder, "layers.1.cross_attn.w_k.weight"));
  CHECK(has_parameter(decoder, "layers.0.cross_attn_norm.bias"));
  CHECK(has_parameter(decoder, "layers.0.feed_forward_norm.weight"));
}

TEST_CASE("encoder and decoder: only a pre-LN stack ends with a final LayerNorm") {
  Generator generator(23);
  Encoder post_encoder(small_config(NormPlacement::post), 1, generator);
  Encoder pre_encoder(small_config(NormPlacement::pre), 1, generator);
  Decoder post_decoder(small_config(NormPlacement::post), 1, generator);
  Decoder pre_decoder(small_config(NormPlacement::pre), 1, generator);
  CHECK_FALSE(has_parameter(post_encoder, "final_norm.weight"));
  CHECK(has_parameter(pre_encoder, "final_norm.weight"));
  CHECK_FALSE(has_parameter(post_decoder, "final_norm.weight"));
  CHECK(has_parameter(pre_decoder, "final_norm.weight"));
  // The final LayerNorm is the only difference: 2 D more scalars.
  CHECK(pre_encoder.parameter_count() == post_encoder.parameter_count() + 2 * D);
  CHECK(pre_decoder.parameter_count() == post_decoder.parameter_count() + 2 * D);
}

TEST_CASE("encoder: a post-LN layer's output is normalised, a pre-LN layer's is not") {
  // post: x = LN(x + ...) ends every layer, so each position has mean 0 and variance 1 (the
  // LayerNorm starts with gamma = 1, beta = 0); pre: x + ... keeps the input's scale.
  Generator generator(24);
  EncoderLayer post(small_config(NormPlacement::post), generator);
  EncoderLayer pre(small_config(NormPlacement::pre), generator);
  const Tensor x = random({B, S, D}, 25) * real(5);
  const Tensor post_out = post.forward(Variable(x), source_mask()).value();
  const Tensor pre_out = pre.forward(Variable(x), source_mask()).value();
  CHECK(allclose(mean(post_out, -1), Tensor::zeros({B, S}), 1e-4, 1e-4));
  CHECK(allclose(mean(post_out * post_out, -1), Tensor::ones({B, S}), 1e-3, 1e-3));
  CHECK_FALSE(allclose(mean(pre_out * pre_out, -1), Tensor::ones({B, S}), 1e-1, 1e-1));
}

TEST_CASE("encoder and decoder: a stack needs at least one layer") {
  Generator generator(26);
  CHECK_THROWS(Encoder(small_config(NormPlacement::post), 0, generator));
  CHECK_THROWS(Decoder(small_config(NormPlacement::post), 0, generator));
}
