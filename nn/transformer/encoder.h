// The Transformer encoder: N identical layers of self-attention and a feed-forward network.
//
// Vaswani et al. 2017, §3.1: "Each layer has two sub-layers. The first is a multi-head
// self-attention mechanism, and the second is a simple, position-wise fully connected
// feed-forward network", each wrapped in a residual connection and LayerNorm (layer_config.h):
//
//   x = Residual(x, MultiHead(x, x, x, source_mask))       every position attends to every
//   x = Residual(x, FFN(x))                                 non-padding source position
//
// Shapes: x [B, S, D], source_mask [B, 1, 1, S] (1 = real token, nn/attention/mask.h).
#pragma once

#include <memory>
#include <vector>

#include "nn/attention/multi_head_attention.h"
#include "nn/layers/feed_forward.h"
#include "nn/transformer/layer_config.h"

namespace attn {

class EncoderLayer : public Module {
 public:
  EncoderLayer(const LayerConfig& config, Generator& generator);
  // x [B, S, D], source_mask [B, 1, 1, S] -> [B, S, D]
  Variable forward(const Variable& x, const Tensor& source_mask);

  const MultiHeadAttention& self_attention() const { return self_attn_; }

 private:
  NormPlacement norm_;
  MultiHeadAttention self_attn_;  // "self_attn"
  LayerNorm self_attn_norm_;      // "self_attn_norm"
  FeedForward feed_forward_;      // "feed_forward"
  LayerNorm feed_forward_norm_;   // "feed_forward_norm"
  Dropout dropout_;               // residual dropout, §5.4
};

class Encoder : public Module {
 public:
  Encoder(const LayerConfig& config, int64_t layers, Generator& generator);
  // x [B, S, D] (embedded source), source_mask [B, 1, 1, S] -> memory [B, S, D]
  Variable forward(const Variable& x, const Tensor& source_mask);

  int64_t size() const { return static_cast<int64_t>(layers_.size()); }
  const EncoderLayer& layer(int64_t index) const;

 private:
  std::vector<std::unique_ptr<EncoderLayer>> layers_;  // "layers.0", "layers.1", ...
  // pre-LN only, "final_norm": the residual stream of a pre-LN stack is a sum of unnormalised
  // sublayer outputs, so it is normalised once at the end (as PyTorch's and fairseq's
  // normalize_before encoders do). Post-LN layers already end in a LayerNorm.
  std::unique_ptr<LayerNorm> final_norm_;
};

}  // namespace attn
