// The Transformer model: sizes, names, shapes, weight sharing, gradients, checkpoints, and the
// causality and padding invariants end to end (token ids in, logits out).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "models/transformer/transformer.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/random.h"

using namespace attn;

namespace {

// The micro model of the gradient check: D 8, H 2, F 16, one layer each side, V 7, no dropout.
// GELU keeps every function smooth, so finite differences never straddle a ReLU kink.
TransformerConfig micro_config() {
  TransformerConfig config;
  config.source_vocab = 7;
  config.target_vocab = 7;
  config.d_model = 8;
  config.heads = 2;
  config.d_ff = 16;
  config.encoder_layers = 1;
  config.decoder_layers = 1;
  config.dropout = 0;
  config.activation = Activation::gelu;
  config.max_length = 16;
  config.seed = 1;
  return config;
}

// Token ids [B, L] from a row-major list.
Tensor tokens(int64_t batch, int64_t length, const std::vector<real>& ids) {
  return Tensor::from_vector({batch, length}, ids);
}

const Source kSource = token_source(tokens(2, 4, {3, 4, 5, 6, 2, 5, 0, 0}));  // row 1: two pads
const Tensor kTarget = tokens(2, 3, {1, 3, 4, 1, 6, 2});        // BOS = 1, then the target

bool has_parameter(const Module& module, const std::string& name) {
  const auto named = module.named_parameters();
  return std::any_of(named.begin(), named.end(),
                     [&](const auto& entry) { return entry.first == name; });
}

Variable parameter(const Module& module, const std::string& name) {
  for (const auto& [found, value] : module.named_parameters())
    if (found == name) return value;
  FAIL("no parameter " << name);
  return Variable();
}

// Parameters of the Transformer by formula (scaled_dot has none of its own; every Linear in the
// attention and feed-forward has a bias, as torch.nn.MultiheadAttention):
//   attention  4 (D D + D)              w_q, w_k, w_v, w_o
//   FFN        D F + F + F D + D        linear1, linear2
//   LayerNorm  2 D                      gamma, beta
//   encoder layer = attention + FFN + 2 LayerNorm = 4 D^2 + 2 D F + 9 D + F
//   decoder layer = 2 attention + FFN + 3 LayerNorm = 8 D^2 + 2 D F + 15 D + F
//   embeddings  (V_src + V_tgt) D; the output projection is tied, so it adds nothing
int64_t expected_parameters(int64_t v_src, int64_t v_tgt, int64_t d, int64_t f, int64_t n) {
  const int64_t encoder_layer = 4 * d * d + 2 * d * f + 9 * d + f;
  const int64_t decoder_layer = 8 * d * d + 2 * d * f + 15 * d + f;
  return n * (encoder_layer + decoder_layer) + (v_src + v_tgt) * d;
}

}  // namespace

// ---- configuration ----------------------------------------------------------------------------

TEST_CASE("transformer presets: tiny, small and base have the sizes their formula gives") {
  // tiny: D 128, F 512, N 2, V 1000 + 1000
  //   encoder layer 4*16384 + 2*128*512 + 9*128 + 512 = 65536 + 131072 + 1152 + 512 = 198272
  //   decoder layer 8*16384 + 131072 + 15*128 + 512 = 131072 + 131072 + 1920 + 512 = 264576
  //   2 * (198272 + 264576) + 2000 * 128 = 925696 + 256000 = 1181696
  CHECK(expected_parameters(1000, 1000, 128, 512, 2) == 1181696);
  CHECK(Transformer(TransformerConfig::tiny(1000, 1000)).parameter_count() == 1181696);
  // small: D 256, F 1024, N 3, V 1000 + 1000
  //   encoder layer 4*65536 + 2*256*1024 + 9*256 + 1024 = 262144 + 524288 + 2304 + 1024 = 789760
  //   decoder layer 524288 + 524288 + 3840 + 1024 = 1053440
  //   3 * (789760 + 1053440) + 2000 * 256 = 5529600 + 512000 = 6041600
  CHECK(expected_parameters(1000, 1000, 256, 1024, 3) == 6041600);
  CHECK(Transformer(TransformerConfig::small(1000, 1000)).parameter_count() == 6041600);
  // base: D 512, F 2048, N 6, V 100 + 100
  //   encoder layer 4*262144 + 2*512*2048 + 9*512 + 2048 = 1048576 + 2097152 + 4608 + 2048
  //                 = 3152384
  //   decoder layer 2097152 + 2097152 + 7680 + 2048 = 4204032
  //   6 * (3152384 + 4204032) + 200 * 512 = 44138496 + 102400 = 44240896
  CHECK(expected_parameters(100, 100, 512, 2048, 6) == 44240896);
  CHECK(Transformer(TransformerConfig::base(100, 100)).parameter_count() == 44240896);
  // With the paper's shared 37000-token vocabulary, one table for all three uses:
  //   44138496 + 37000 * 512 = 44138496 + 18944000 = 63082496, the paper's "65M" (Table 3)
  CHECK(expected_parameters(37000, 0, 512, 2048, 6) == 63082496);
}

TEST_CASE(
    "transformer presets: apply_preset sets each by name and names them all when it "
    "cannot") {
  TransformerConfig config = TransformerConfig::micro(11, 12);
  config.apply_preset("tiny");
  CHECK(config.d_model == 128);
  config.apply_preset("small");
  CHECK(config.encoder_layers == 3);
  config.apply_preset("base");
  CHECK(config.heads == 8);
  CHECK(config.d_ff == 2048);
  CHECK(config.source_vocab == 11);  // a preset sets sizes only
  CHECK(config.target_vocab == 12);
  CHECK(config.presets() == std::vector<std::string>{"micro", "tiny", "small", "base"});
  CHECK_THROWS_WITH_AS(config.apply_preset("huge"),
                       "transformer: unknown preset 'huge'; known: micro, tiny, small, base",
                       Error);
}

TEST_CASE("transformer: a config that cannot work is refused with the rule it breaks") {
  TransformerConfig config = micro_config();
  config.heads = 3;
  CHECK_THROWS_WITH_AS(Transformer{config}, doctest::Contains("not divisible by heads 3"), Error);
  config = micro_config();
  config.share_embeddings = true;
  config.target_vocab = 9;
  CHECK_THROWS_WITH_AS(Transformer{config}, doctest::Contains("share_embeddings needs one"), Error);
  config = micro_config();
  config.source_vocab = 0;
  CHECK_THROWS_AS(Transformer{config}, Error);
}

// ---- structure --------------------------------------------------------------------------------

TEST_CASE("transformer: parameters are named by their place in the model") {
  Transformer model(micro_config());
  for (const char* name :
       {"source_embedding.weight", "target_embedding.weight",
        "encoder.layers.0.self_attn.w_q.weight", "encoder.layers.0.feed_forward.linear1.weight",
        "encoder.layers.0.self_attn_norm.bias", "decoder.layers.0.self_attn.w_o.bias",
        "decoder.layers.0.cross_attn.w_k.weight", "decoder.layers.0.feed_forward_norm.weight"}) {
    CAPTURE(name);
    CHECK(has_parameter(model, name));
  }
  CHECK_FALSE(has_parameter(model, "output.weight"));  // tied by default (§3.4)
  CHECK_FALSE(has_parameter(model, "encoder.final_norm.weight"));  // post-LN
}

TEST_CASE("transformer: encode, decode, forward and step have the documented shapes") {
  Transformer model(micro_config());
  const Memory memory = model.encode(kSource);
  CHECK(memory.states.shape() == Shape{2, 4, 8});                  // [B, S, D]
  CHECK(memory.mask.to_vector() == kSource.mask.to_vector());      // [B, S]
  CHECK(model.decode(kTarget, memory).shape() == Shape{2, 3, 7});  // [B, T, V]
  CHECK(model.forward(kSource, kTarget).shape() == Shape{2, 3, 7});
  const std::unique_ptr<DecoderState> state = model.start(memory);
  const Step step = model.step(Tensor::from_vector({2}, {1, 1}), *state);
  CHECK(step.logits.shape() == Shape{2, 7});           // [N, V]
  CHECK(step.attention.shape() == Shape{2, 1, 2, 4});  // [N, layers, heads, S]
  CHECK_THROWS_WITH_AS(model.step(Tensor::from_vector({3}, {1, 1, 1}), *state),
                       doctest::Contains("tokens must be [N] with the state's N = 2"), Error);
}

TEST_CASE("transformer: shared and tied embeddings are one table, and the count drops by V D") {
  TransformerConfig config = micro_config();
  config.tie_output = false;
  Transformer separate(config);  // source table, target table, output projection: 3 V D
  CHECK(has_parameter(separate, "output.weight"));
  CHECK_FALSE(separate.output_weight().same_as(separate.target_embedding().weight));

  config.tie_output = true;
  Transformer tied(config);  // W_out is the target table: 2 V D
  CHECK(tied.output_weight().same_as(tied.target_embedding().weight));
  CHECK(tied.parameter_count() == separate.parameter_count() - 7 * 8);

  config.share_embeddings = true;
  Transformer shared(config);  // one table for source, target and output: V D
  CHECK(shared.target_embedding().weight.same_as(shared.source_embedding().weight));
  CHECK(shared.output_weight().same_as(shared.source_embedding().weight));
  CHECK_FALSE(has_parameter(shared, "target_embedding.weight"));
  CHECK(shared.parameter_count() == separate.parameter_count() - 2 * 7 * 8);

  // One table, three uses: its gradient is the sum of all three.
  shared.forward(kSource, kTarget).backward(Tensor::ones({2, 3, 7}));
  CHECK(shared.source_embedding().weight.has_grad());
}

TEST_CASE("transformer: pre-LN adds a final LayerNorm to each stack, learned positions a table") {
  TransformerConfig config = micro_config();
  config.norm = NormPlacement::pre;
  config.positional = PositionalEncodingKind::learned;
  Transformer model(config);
  CHECK(has_parameter(model, "encoder.final_norm.weight"));
  CHECK(has_parameter(model, "decoder.final_norm.bias"));
  CHECK(parameter(model, "source_positions.weight").shape() == Shape{16, 8});  // [max_length, D]
  CHECK(parameter(model, "target_positions.weight").shape() == Shape{16, 8});
  CHECK(model.parameter_count() == Transformer(micro_config()).parameter_count() + 2 * 2 * 8 +
                                       2 * 16 * 8);
}

// ---- gradients --------------------------------------------------------------------------------

TEST_CASE("transformer: gradients wrt parameters match finite differences end to end") {
  // L = sum(logits * w) for fixed random w. The analytic gradient comes from one backward pass;
  // each checked element is perturbed by +-eps in place and L recomputed (as attn::gradcheck
  // does for inputs, here for parameters the model owns).
  Transformer model(micro_config());
  model.eval();
  const GradCheckOptions options;
  Generator generator(options.seed);
  const Tensor w = normal({2, 3, 7}, 0, 1, generator);
  const auto loss = [&] { return sum(model.forward(kSource, kTarget) * Variable(w)); };
  model.zero_grad();
  loss().backward();

  for (const char* name :
       {"source_embedding.weight", "target_embedding.weight",
        "encoder.layers.0.self_attn.w_q.weight", "encoder.layers.0.feed_forward_norm.weight",
        "decoder.layers.0.cross_attn.w_v.bias", "decoder.layers.0.self_attn.w_k.weight",
        "decoder.layers.0.feed_forward.linear1.weight"}) {
    CAPTURE(name);
    Variable p = parameter(model, name);
    const std::vector<real> analytic = p.grad().to_vector();
    real* values = p.mutable_value().data();  // parameters are contiguous
    int mismatches = 0;
    for (int64_t i = 0; i < p.value().numel(); ++i) {
      const real original = values[i];
      const real plus = static_cast<real>(original + options.eps);
      const real minus = static_cast<real>(original - options.eps);
      NoGradGuard no_grad;
      values[i] = plus;
      const double loss_plus = loss().item();
      values[i] = minus;
      const double loss_minus = loss().item();
      values[i] = original;
      const double numeric = (loss_plus - loss_minus) / (double(plus) - double(minus));
      const double error = std::abs(double(analytic[i]) - numeric);
      if (error <= options.atol + options.rtol * std::abs(numeric)) continue;  // NaN fails
      if (++mismatches <= 3)
        FAIL_CHECK("element " << i << ": analytic " << analytic[i] << ", numeric " << numeric);
    }
    CHECK(mismatches == 0);
  }
}

// ---- invariants -------------------------------------------------------------------------------

TEST_CASE("transformer: changing target token k never changes the logits at positions < k") {
  Transformer model(micro_config());
  model.eval();
  const Tensor target = tokens(1, 5, {1, 3, 4, 5, 6});
  const Source source = token_source(kSource.input.narrow(0, 0, 1).contiguous());
  const Tensor reference = model.forward(source, target).value();  // [1, 5, V]
  for (int64_t k = 1; k < 5; ++k) {
    CAPTURE(k);
    Tensor changed = target.clone();
    changed.at({0, k}) = 2;
    const Tensor logits = model.forward(source, changed).value();
    CHECK(allclose(logits.narrow(1, 0, k), reference.narrow(1, 0, k), 0, 0));
    CHECK_FALSE(allclose(logits.narrow(1, k, 1), reference.narrow(1, k, 1)));
  }
}

TEST_CASE("transformer: padding the source with more pad tokens never changes the logits") {
  Transformer model(micro_config());
  model.eval();
  const Source padded = token_source(tokens(2, 6, {3, 4, 5, 6, 0, 0, 2, 5, 0, 0, 0, 0}));
  const Tensor short_logits = model.forward(kSource, kTarget).value();
  const Tensor long_logits = model.forward(padded, kTarget).value();
  // Masked keys get weight exactly 0; only the summation order of a longer row may differ.
  CHECK(allclose(long_logits, short_logits, 1e-5, 1e-5));
}

// ---- checkpoints and decoding -------------------------------------------------------------------

TEST_CASE("transformer: a state_dict loaded into a fresh model reproduces its logits exactly") {
  Transformer trained(micro_config());
  TransformerConfig other = micro_config();
  other.seed = 2;
  Transformer fresh(other);
  trained.eval();
  fresh.eval();
  const Tensor expected = trained.forward(kSource, kTarget).value();
  CHECK_FALSE(allclose(fresh.forward(kSource, kTarget).value(), expected));
  fresh.load_state_dict(trained.state_dict());
  CHECK(allclose(fresh.forward(kSource, kTarget).value(), expected, 0, 0));
}

TEST_CASE("transformer: the same seed builds the same model") {
  Transformer a(micro_config()), b(micro_config());
  a.eval();
  b.eval();
  CHECK(allclose(a.forward(kSource, kTarget).value(), b.forward(kSource, kTarget).value(), 0, 0));
}
