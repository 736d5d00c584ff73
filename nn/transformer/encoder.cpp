// The Transformer encoder (see encoder.h): Vaswani et al. 2017, §3.1 and Figure 1 (left).
#include "nn/transformer/encoder.h"

#include "tensor/error.h"

namespace attn {

// ---- one layer --------------------------------------------------------------------------------

EncoderLayer::EncoderLayer(const LayerConfig& config, Generator& generator)
    : norm_(config.norm),
      self_attn_(config.d_model, config.heads, generator, 0, config.score, AttentionKind::self),
      self_attn_norm_(config.d_model),
      feed_forward_(config.d_model, config.d_ff, generator, config.dropout, config.activation),
      feed_forward_norm_(config.d_model),
      dropout_(config.dropout, generator) {
  register_module("self_attn", self_attn_);
  register_module("self_attn_norm", self_attn_norm_);
  register_module("feed_forward", feed_forward_);
  register_module("feed_forward_norm", feed_forward_norm_);
  register_module("dropout", dropout_);
}

Variable EncoderLayer::forward(const Variable& x, const Tensor& source_mask) {
  // x = Residual(x, MultiHead(x, x, x)): queries, keys and values all come from the source
  Variable h = residual(x, self_attn_norm_, dropout_, norm_, [&](const Variable& n) {
    return self_attn_.forward(n, n, n, source_mask);  // [B, S, D]
  });
  // x = Residual(x, FFN(x)), FFN(x) = max(0, x W1 + b1) W2 + b2 per position (§3.3)
  return residual(h, feed_forward_norm_, dropout_, norm_, [&](const Variable& n) {
    return feed_forward_.forward(n);  // [B, S, D]
  });
}

// ---- the stack --------------------------------------------------------------------------------

Encoder::Encoder(const LayerConfig& config, int64_t layers, Generator& generator) {
  check(layers >= 1, "Encoder",
        [&] { return "needs at least one layer, got " + std::to_string(layers); });
  for (int64_t i = 0; i < layers; ++i) {
    layers_.push_back(std::make_unique<EncoderLayer>(config, generator));
    register_module("layers." + std::to_string(i), *layers_.back());
  }
  if (config.norm == NormPlacement::pre) {
    final_norm_ = std::make_unique<LayerNorm>(config.d_model);
    register_module("final_norm", *final_norm_);
  }
}

Variable Encoder::forward(const Variable& x, const Tensor& source_mask) {
  Variable h = x;                                              // [B, S, D]
  for (auto& layer : layers_) h = layer->forward(h, source_mask);  // [B, S, D]
  return final_norm_ ? final_norm_->forward(h) : h;            // [B, S, D]
}

const EncoderLayer& Encoder::layer(int64_t index) const {
  check(index >= 0 && index < size(), "Encoder::layer",
        [&] { return "layer " + std::to_string(index) + " of " + std::to_string(size()); });
  return *layers_[index];
}

}  // namespace attn
