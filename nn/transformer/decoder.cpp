// The Transformer decoder (see decoder.h): Vaswani et al. 2017, §3.1 and Figure 1 (right).
#include "nn/transformer/decoder.h"

#include "tensor/error.h"

namespace attn {

// ---- one layer --------------------------------------------------------------------------------

DecoderLayer::DecoderLayer(const LayerConfig& config, Generator& generator)
    : norm_(config.norm),
      self_attn_(config.d_model, config.heads, generator, 0, config.score, AttentionKind::self),
      self_attn_norm_(config.d_model),
      cross_attn_(config.d_model, config.heads, generator, 0, config.score, AttentionKind::cross),
      cross_attn_norm_(config.d_model),
      feed_forward_(config.d_model, config.d_ff, generator, config.dropout, config.activation),
      feed_forward_norm_(config.d_model),
      dropout_(config.dropout, generator) {
  register_module("self_attn", self_attn_);
  register_module("self_attn_norm", self_attn_norm_);
  register_module("cross_attn", cross_attn_);
  register_module("cross_attn_norm", cross_attn_norm_);
  register_module("feed_forward", feed_forward_);
  register_module("feed_forward_norm", feed_forward_norm_);
  register_module("dropout", dropout_);
}

Variable DecoderLayer::forward(const Variable& y, const Variable& memory,
                               const Tensor& target_mask, const Tensor& source_mask) {
  // y = Residual(y, MultiHead(y, y, y)): position t sees target positions <= t only
  Variable h = residual(y, self_attn_norm_, dropout_, norm_, [&](const Variable& n) {
    return self_attn_.forward(n, n, n, target_mask);  // [B, T, D]
  });
  // y = Residual(y, MultiHead(y, memory, memory)): queries from the decoder, keys and values
  // from the encoder output, so every target position may read every source position (§3.2.3)
  h = residual(h, cross_attn_norm_, dropout_, norm_, [&](const Variable& n) {
    return cross_attn_.forward(n, memory, memory, source_mask);  // [B, T, D]
  });
  // y = Residual(y, FFN(y))
  return residual(h, feed_forward_norm_, dropout_, norm_, [&](const Variable& n) {
    return feed_forward_.forward(n);  // [B, T, D]
  });
}

// Self-attention reads the cached keys and values of every earlier position instead of
// recomputing them; cross-attention reads the memory's, projected once in start_cache.
DecoderLayerCache DecoderLayer::start_cache(const Variable& memory) {
  return {AttentionCache{}, cross_attn_.start_cache(memory)};  // [N, H, S, *]
}

Variable DecoderLayer::forward_step(const Variable& y, DecoderLayerCache& cache,
                                    const Tensor& source_mask) {
  const int64_t position = cache.self.length();  // of the first new target position
  Variable h = residual(y, self_attn_norm_, dropout_, norm_, [&](const Variable& n) {
    return self_attn_.forward_step(n, cache.self);  // [N, T_new, D]
  });
  h = residual(h, cross_attn_norm_, dropout_, norm_, [&](const Variable& n) {
    return cross_attn_.forward_cached(n, cache.cross, source_mask, position);  // [N, T_new, D]
  });
  return residual(h, feed_forward_norm_, dropout_, norm_, [&](const Variable& n) {
    return feed_forward_.forward(n);  // [N, T_new, D]
  });
}

// ---- the stack --------------------------------------------------------------------------------

Decoder::Decoder(const LayerConfig& config, int64_t layers, Generator& generator) {
  check(layers >= 1, "Decoder",
        [&] { return "needs at least one layer, got " + std::to_string(layers); });
  for (int64_t i = 0; i < layers; ++i) {
    layers_.push_back(std::make_unique<DecoderLayer>(config, generator));
    register_module("layers." + std::to_string(i), *layers_.back());
  }
  if (config.norm == NormPlacement::pre) {
    final_norm_ = std::make_unique<LayerNorm>(config.d_model);
    register_module("final_norm", *final_norm_);
  }
}

Variable Decoder::forward(const Variable& y, const Variable& memory, const Tensor& target_mask,
                          const Tensor& source_mask) {
  Variable h = y;  // [B, T, D]
  for (auto& layer : layers_) h = layer->forward(h, memory, target_mask, source_mask);  // [B, T, D]
  return final_norm_ ? final_norm_->forward(h) : h;  // [B, T, D]
}

std::vector<DecoderLayerCache> Decoder::start_cache(const Variable& memory) {
  std::vector<DecoderLayerCache> caches;
  for (const auto& layer : layers_) caches.push_back(layer->start_cache(memory));
  return caches;
}

Variable Decoder::forward_step(const Variable& y, std::vector<DecoderLayerCache>& caches,
                               const Tensor& source_mask) {
  Variable h = y;  // [N, T_new, D]
  for (size_t i = 0; i < layers_.size(); ++i)
    h = layers_[i]->forward_step(h, caches[i], source_mask);  // [N, T_new, D]
  return final_norm_ ? final_norm_->forward(h) : h;          // [N, T_new, D]
}

const DecoderLayer& Decoder::layer(int64_t index) const {
  check(index >= 0 && index < size(), "Decoder::layer",
        [&] { return "layer " + std::to_string(index) + " of " + std::to_string(size()); });
  return *layers_[index];
}

const Tensor& Decoder::cross_attention_weights(int64_t index) const {
  return layer(index).cross_attention().attention_weights();  // [B, H, T, S]
}

}  // namespace attn
