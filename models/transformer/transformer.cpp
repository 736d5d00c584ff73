// The Transformer encoder-decoder (see transformer.h): Vaswani et al. 2017, Figure 1.
#include "models/transformer/transformer.h"

#include <cmath>

#include "autograd/ops.h"
#include "nn/attention/mask.h"
#include "tensor/error.h"
#include "tensor/index.h"

namespace attn {

// ---- configuration ----------------------------------------------------------------------------

namespace {

TransformerConfig sized(int64_t source_vocab, int64_t target_vocab, int64_t d_model,
                        int64_t heads, int64_t d_ff, int64_t layers) {
  TransformerConfig config;
  config.source_vocab = source_vocab;
  config.target_vocab = target_vocab;
  config.d_model = d_model;
  config.heads = heads;
  config.d_ff = d_ff;
  config.encoder_layers = layers;
  config.decoder_layers = layers;
  return config;
}

// Every rule a config must follow, checked before any weight is drawn.
const TransformerConfig& checked(const TransformerConfig& c) {
  const std::string op = "Transformer";
  check(c.source_vocab > 0 && c.target_vocab > 0, op,
        "source_vocab and target_vocab must be set, got " + std::to_string(c.source_vocab) +
            " and " + std::to_string(c.target_vocab));
  check(c.heads > 0 && c.d_model % c.heads == 0, op,
        "d_model " + std::to_string(c.d_model) + " is not divisible by heads " +
            std::to_string(c.heads));
  check(c.max_length > 0, op, "max_length must be positive");
  check(!c.share_embeddings || c.source_vocab == c.target_vocab, op,
        "share_embeddings needs one vocabulary, got source_vocab " +
            std::to_string(c.source_vocab) + " and target_vocab " +
            std::to_string(c.target_vocab));
  check(c.pad_index < c.source_vocab && c.pad_index < c.target_vocab, op,
        "pad_index " + std::to_string(c.pad_index) + " is outside a vocabulary");
  return c;
}

// A [V, D] table drawn from N(0, 1/D), its padding row zero (see transformer.h).
std::unique_ptr<Embedding> make_embedding(int64_t vocab, const TransformerConfig& config,
                                          Generator& generator) {
  auto table = std::make_unique<Embedding>(vocab, config.d_model, generator, config.pad_index);
  const real stddev = 1 / std::sqrt(static_cast<real>(config.d_model));
  table->weight.mutable_value().copy_from(normal({vocab, config.d_model}, 0, stddev, generator));
  if (config.pad_index >= 0) table->weight.mutable_value().narrow(0, config.pad_index, 1).fill(0);
  return table;
}

}  // namespace

TransformerConfig TransformerConfig::tiny(int64_t source_vocab, int64_t target_vocab) {
  return sized(source_vocab, target_vocab, 128, 4, 512, 2);
}

TransformerConfig TransformerConfig::small(int64_t source_vocab, int64_t target_vocab) {
  return sized(source_vocab, target_vocab, 256, 4, 1024, 3);
}

TransformerConfig TransformerConfig::base(int64_t source_vocab, int64_t target_vocab) {
  return sized(source_vocab, target_vocab, 512, 8, 2048, 6);
}

TransformerConfig TransformerConfig::preset(const std::string& name, int64_t source_vocab,
                                            int64_t target_vocab) {
  if (name == "tiny") return tiny(source_vocab, target_vocab);
  if (name == "small") return small(source_vocab, target_vocab);
  if (name == "base") return base(source_vocab, target_vocab);
  throw Error("TransformerConfig::preset: unknown preset \"" + name +
              "\"; known presets: tiny, small, base");
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
  layer.max_source_length = max_length;
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

Variable Transformer::encode(const Tensor& source) {
  check(source.ndim() == 2, "Transformer::encode",
        "source must be [B, S] token ids, got " + to_string(source.shape()));
  const Tensor source_mask = padding_mask(source, config_.pad_index);  // [B, 1, 1, S]
  return encoder_.forward(embed(*source_embedding_, *source_positions_, source),
                          source_mask);  // [B, S, D]
}

Variable Transformer::decode(const Tensor& target_in, const Variable& memory,
                             const Tensor& source) {
  check(target_in.ndim() == 2 && target_in.size(0) == source.size(0), "Transformer::decode",
        "target_in must be [B, T] token ids with source's B, got " +
            to_string(target_in.shape()) + " and source " + to_string(source.shape()));
  const Tensor source_mask = padding_mask(source, config_.pad_index);  // [B, 1, 1, S]
  // Target position t may see positions <= t that are not padding (nn/mask.h).
  const Tensor target_mask = combine_masks(padding_mask(target_in, config_.pad_index),
                                           causal_mask(target_in.size(1)));  // [B, 1, T, T]
  const Variable h = decoder_.forward(
      embed(target_embedding(), *target_positions_, target_in), memory, target_mask,
      source_mask);  // [B, T, D]
  // logits = h W_out^T; tied, W_out is the target embedding read as a projection (§3.4)
  return matmul(h, transpose(output_weight(), 0, 1));  // [B, T, D] @ [D, V] -> [B, T, V]
}

Variable Transformer::forward(const Tensor& source, const Tensor& target_in) {
  return decode(target_in, encode(source), source);  // [B, T, V]
}

// ---- incremental decoding -----------------------------------------------------------------------

void DecodingState::reorder(const Tensor& rows) {
  source_mask = index_select(source_mask, 0, rows);  // [N, 1, 1, S]
  for (DecoderLayerCache& layer : layers) {
    layer.self.select_rows(rows);
    layer.cross.select_rows(rows);
  }
}

DecodingState Transformer::start_decoding(const Tensor& source) {
  DecodingState state;
  state.source_mask = padding_mask(source, config_.pad_index);  // [N, 1, 1, S]
  state.layers = decoder_.start_cache(encode(source));           // memory [N, S, D]
  return state;
}

Variable Transformer::decode_step(const Tensor& tokens, DecodingState& state) {
  check(tokens.ndim() == 2 && tokens.size(1) == 1 && tokens.size(0) == state.source_mask.size(0),
        "Transformer::decode_step",
        "tokens must be [N, 1] with the state's N = " + std::to_string(state.source_mask.size(0)) +
            ", got " + to_string(tokens.shape()));
  const Variable y = embed(target_embedding(), *target_positions_, tokens, state.position);  // [N, 1, D]
  const Variable h = decoder_.forward_step(y, state.layers, state.source_mask);           // [N, 1, D]
  state.position += 1;
  const Variable logits = matmul(h, transpose(output_weight(), 0, 1));  // [N, 1, V]
  return reshape(logits, {tokens.size(0), config_.target_vocab});       // [N, V]
}

const Tensor& Transformer::cross_attention_weights(int64_t layer) const {
  return decoder_.cross_attention_weights(layer);  // [B, H, T, S]
}

}  // namespace attn
