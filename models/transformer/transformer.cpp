// The Transformer encoder-decoder (see transformer.h): Vaswani et al. 2017, Figure 1.
#include "models/transformer/transformer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autograd/ops.h"
#include "models/seq2seq/special_tokens.h"
#include "nn/attention/mask.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"
#include "tensor/index.h"
#include "tensor/join.h"

namespace attn {

// ---- configuration ----------------------------------------------------------------------------

namespace {

// The named sizes, Vaswani et al. 2017 Table 3's "base" and three smaller ones.
struct Sizes {
  const char* name;
  int64_t d_model, heads, d_ff, layers;  // layers in the encoder and in the decoder
};
constexpr Sizes kPresets[] = {
    {"micro", 16, 2, 32, 2},  // tests and smoke runs
    {"tiny", 128, 4, 512, 2},
    {"small", 256, 4, 1024, 3},
    {"base", 512, 8, 2048, 6},
};

TransformerConfig preset(const std::string& name, int64_t source_vocab, int64_t target_vocab) {
  TransformerConfig config;
  config.source_vocab = source_vocab;
  config.target_vocab = target_vocab;
  config.apply_preset(name);
  return config;
}

// Every rule a config must follow, checked before any weight is drawn.
const TransformerConfig& checked(const TransformerConfig& c) {
  c.check();
  const std::string op = "Transformer";
  check(c.source_vocab > special_tokens::pad && c.target_vocab > special_tokens::pad, op, [&] {
    return "source_vocab and target_vocab must be set, got " + std::to_string(c.source_vocab) +
           " and " + std::to_string(c.target_vocab);
  });
  check(c.max_length > 0, op, "max_length must be positive");
  check(!c.share_embeddings || c.source_vocab == c.target_vocab, op, [&] {
    return "share_embeddings needs one vocabulary, got source_vocab " +
           std::to_string(c.source_vocab) + " and target_vocab " + std::to_string(c.target_vocab);
  });
  return c;
}

// A [V, D] table drawn from N(0, 1/D), its padding row zero (see transformer.h).
std::unique_ptr<Embedding> make_embedding(int64_t vocab, const TransformerConfig& config,
                                          Generator& generator) {
  auto table = std::make_unique<Embedding>(vocab, config.d_model, generator, special_tokens::pad);
  const real stddev = 1 / std::sqrt(static_cast<real>(config.d_model));
  table->weight.mutable_value().copy_from(normal({vocab, config.d_model}, 0, stddev, generator));
  table->weight.mutable_value().narrow(0, special_tokens::pad, 1).fill(0);
  return table;
}

}  // namespace

TransformerConfig TransformerConfig::micro(int64_t source_vocab, int64_t target_vocab) {
  return preset("micro", source_vocab, target_vocab);
}

TransformerConfig TransformerConfig::tiny(int64_t source_vocab, int64_t target_vocab) {
  return preset("tiny", source_vocab, target_vocab);
}

TransformerConfig TransformerConfig::small(int64_t source_vocab, int64_t target_vocab) {
  return preset("small", source_vocab, target_vocab);
}

TransformerConfig TransformerConfig::base(int64_t source_vocab, int64_t target_vocab) {
  return preset("base", source_vocab, target_vocab);
}

std::vector<std::string> TransformerConfig::presets() const { return preset_names(kPresets); }

void TransformerConfig::apply_preset(const std::string& name) {
  const Sizes& sizes = find_preset(kPresets, name, "transformer");
  d_model = sizes.d_model;
  heads = sizes.heads;
  d_ff = sizes.d_ff;
  encoder_layers = decoder_layers = sizes.layers;
}

Settings TransformerConfig::settings() {
  const Setting score_setting = custom_setting(
      "score", SettingKind::text, "score function NAME[:key=value,...], listed below",
      [this] { return score; },
      [this](const std::string& text) {
        check_score_name(text);  // an unknown name or setting fails here, before any work
        score = text;
      });
  Settings all = common_settings();
  const Settings own = {
      integer_setting("d_model", d_model, "model width D (paper: 512)", 1, 1 << 14),
      integer_setting("heads", heads, "attention heads H, dividing D (paper: 8)", 1, 1 << 10),
      integer_setting("d_ff", d_ff, "feed-forward inner width F (paper: 2048)", 1, 1 << 16),
      integer_setting("encoder_layers", encoder_layers, "encoder layers N (paper: 6)", 1, 64),
      integer_setting("decoder_layers", decoder_layers, "decoder layers N (paper: 6)", 1, 64),
      number_setting("dropout", dropout, "P_drop on embeddings and sublayer outputs", 0, 0.99),
      score_setting,
      choice_setting("norm", norm, "LayerNorm placement: post (paper) or pre",
                     {{"post", NormPlacement::post}, {"pre", NormPlacement::pre}}),
      choice_setting("activation", activation, "feed-forward non-linearity",
                     {{"relu", Activation::relu}, {"gelu", Activation::gelu}}),
      choice_setting("positional", positional, "position encoding",
                     {{"sinusoidal", PositionalEncodingKind::sinusoidal},
                      {"learned", PositionalEncodingKind::learned}}),
      flag_setting("share_embeddings", share_embeddings, "one table for source and target"),
      flag_setting("tie_output", tie_output, "the output layer reuses the target embedding"),
  };
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

void TransformerConfig::check() const {
  attn::check(heads > 0 && d_model % heads == 0, "transformer",
              "d_model " + std::to_string(d_model) + " is not divisible by heads " +
                  std::to_string(heads));
}

std::unique_ptr<ModelConfig> TransformerConfig::clone() const {
  return std::make_unique<TransformerConfig>(*this);
}

std::unique_ptr<Seq2Seq> TransformerConfig::build() const {
  return std::make_unique<Transformer>(*this);
}

int64_t TransformerConfig::parameter_count() const {
  // Vaswani et al. 2017's sublayers, each Linear with a bias (attention.h, feed_forward.h):
  //   attention   4 (D D + D) + the score's own        w_q, w_k, w_v, w_o
  //   FFN         D F + F + F D + D                    linear1, linear2
  //   LayerNorm   2 D                                  gamma, beta
  // Counted in double: a hostile config's count may pass 2^63, which is only "too large".
  const double D = static_cast<double>(d_model), F = static_cast<double>(d_ff);
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = d_model / std::max<int64_t>(heads, 1);
  spec.heads = heads;
  const double score_own = static_cast<double>(make_score_function(score, spec)->parameter_count());
  const double attention = 4 * (D * D + D) + score_own, ffn = 2 * D * F + F + D;
  const double layer_norm = 2 * D;
  const double encoder_layer = attention + ffn + 2 * layer_norm;
  const double decoder_layer = 2 * attention + ffn + 3 * layer_norm;
  double total = static_cast<double>(encoder_layers) * encoder_layer +
                 static_cast<double>(decoder_layers) * decoder_layer;
  if (norm == NormPlacement::pre) total += 2 * layer_norm;  // each stack's final LayerNorm
  const double V_src = static_cast<double>(source_vocab), V = static_cast<double>(target_vocab);
  total += (V_src + (share_embeddings ? 0 : V)) * D;  // embeddings
  if (!tie_output) total += V * D;                   // output layer, no bias
  if (positional == PositionalEncodingKind::learned)
    total += 2 * static_cast<double>(max_length) * D;  // one table per side
  return total >= 9.2e18 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(total);
}

LayerConfig TransformerConfig::layer() const {
  LayerConfig layer;
  layer.d_model = d_model;
  layer.heads = heads;
  layer.d_ff = d_ff;
  layer.dropout = dropout;
  layer.score = score;
  layer.norm = norm;
  layer.activation = activation;
  return layer;
}

// ---- the model --------------------------------------------------------------------------------

Transformer::Transformer(const TransformerConfig& config)
    : config_(checked(config)),
      generator_(config.seed),
      source_embedding_(make_embedding(config.source_vocab, config, generator_)),
      target_embedding_(config.share_embeddings
                            ? nullptr
                            : make_embedding(config.target_vocab, config, generator_)),
      source_positions_(make_positional_encoding(config.positional, config.d_model,
                                                 config.max_length, generator_)),
      target_positions_(make_positional_encoding(config.positional, config.d_model,
                                                 config.max_length, generator_)),
      dropout_(config.dropout, generator_),
      encoder_(config.layer(), config.encoder_layers, generator_),
      decoder_(config.layer(), config.decoder_layers, generator_),
      output_(config.tie_output
                  ? nullptr
                  : std::make_unique<Linear>(config.d_model, config.target_vocab, generator_,
                                             /*bias=*/false)) {
  register_module("source_embedding", *source_embedding_);
  if (target_embedding_) register_module("target_embedding", *target_embedding_);
  register_module("source_positions", *source_positions_);
  register_module("target_positions", *target_positions_);
  register_module("dropout", dropout_);
  register_module("encoder", encoder_);
  register_module("decoder", decoder_);
  if (output_) register_module("output", *output_);
}

const Embedding& Transformer::target_embedding() const {
  return target_embedding_ ? *target_embedding_ : *source_embedding_;
}

const Variable& Transformer::output_weight() const {
  return output_ ? output_->weight : target_embedding().weight;
}

Variable Transformer::embed(const Embedding& table, const PositionalEncoding& positions,
                            const Tensor& tokens, int64_t offset) const {
  // §3.4: embeddings multiplied by sqrt(d_model); §3.5: positions added; §5.4: dropout on the sum
  const real scale = std::sqrt(static_cast<real>(config_.d_model));
  const Variable x = table.forward(tokens) * scale;  // [B, L, D]
  return dropout_.forward(positions.forward(x, offset));  // [B, L, D]
}

Variable Transformer::logits(const Variable& h) const {
  // logits = h W_out^T; tied, W_out is the target embedding read as a projection (§3.4)
  return matmul(h, transpose(output_weight(), 0, 1));  // [B, L, D] @ [D, V] -> [B, L, V]
}

// [B, S] -> [B, 1, 1, S], the form that broadcasts over heads and queries (mask.h).
static Tensor key_mask(const Tensor& mask) {
  return mask.defined() ? mask.view({mask.size(0), 1, 1, mask.size(1)}) : mask;
}

Memory Transformer::encode(const Source& source) {
  check(source.input.ndim() == 2, "Transformer::encode",
        [&] { return "source must be [B, S] token ids, got " + to_string(source.input.shape()); });
  const Variable memory = encoder_.forward(
      embed(*source_embedding_, *source_positions_, source.input), key_mask(source.mask));
  return {memory, source.mask, {}};  // [B, S, D], [B, S]; no final states
}

Variable Transformer::decode(const Tensor& target_in, const Memory& memory) {
  check(target_in.ndim() == 2 && target_in.size(0) == memory.states.size(0), "Transformer::decode",
        [&] {
          return "target_in must be [B, T] token ids with the memory's B, got " +
                 to_string(target_in.shape()) + " and memory " + to_string(memory.states.shape());
        });
  // Target position t may see positions <= t that are not padding (mask.h).
  const Tensor target_mask = combine_masks(padding_mask(target_in, special_tokens::pad),
                                           causal_mask(target_in.size(1)));  // [B, 1, T, T]
  const Variable h = decoder_.forward(embed(target_embedding(), *target_positions_, target_in),
                                      memory.states, target_mask,
                                      key_mask(memory.mask));  // [B, T, D]
  return logits(h);                                            // [B, T, V]
}

Variable Transformer::forward(const Source& source, const Tensor& target_in) {
  return decode(target_in, encode(source));  // [B, T, V]
}

// ---- incremental decoding -----------------------------------------------------------------------

void TransformerState::reorder(const Tensor& rows) {
  if (memory_mask.defined()) memory_mask = index_select(memory_mask, 0, rows);  // [N, 1, 1, S]
  for (DecoderLayerCache& layer : layers) layer.select_rows(rows);
}

std::unique_ptr<DecoderState> Transformer::start(const Memory& memory) {
  auto state = std::make_unique<TransformerState>();
  state->memory_mask = key_mask(memory.mask);           // [N, 1, 1, S]
  state->layers = decoder_.start_cache(memory.states);  // memory projected once per layer
  return state;
}

Step Transformer::step(const Tensor& tokens, DecoderState& decoder_state) {
  auto& state = dynamic_cast<TransformerState&>(decoder_state);
  const int64_t N = tokens.numel();
  check(tokens.ndim() == 1 && !state.layers.empty() && N == state.layers[0].cross.keys.size(0),
        "Transformer::step", [&] {
          return "tokens must be [N] with the state's N = " +
                 std::to_string(state.layers.empty() ? 0 : state.layers[0].cross.keys.size(0)) +
                 ", got " + to_string(tokens.shape());
        });
  const Tensor column = tokens.view({N, 1});  // [N, 1]
  const Variable y = embed(target_embedding(), *target_positions_, column, state.position);
  const Variable h = decoder_.forward_step(y, state.layers, state.memory_mask);  // [N, 1, D]
  state.position += 1;
  std::vector<Tensor> layers;
  for (int64_t l = 0; l < decoder_.size(); ++l)
    layers.push_back(decoder_.cross_attention_weights(l));  // [N, H, 1, S]
  const Tensor attention = stack(layers, 1);                // [N, L, H, 1, S]
  const int64_t L = decoder_.size(), H = config_.heads, S = attention.size(-1);
  return {reshape(logits(h), {N, config_.target_vocab}),  // [N, V]
          attention.view({N, L, H, S})};                  // [N, L, H, S]
}

}  // namespace attn
