// The Transformer decoder: N identical layers of masked self-attention, attention over the
// encoder's output, and a feed-forward network.
//
// Vaswani et al. 2017, §3.1: "In addition to the two sub-layers in each encoder layer, the
// decoder inserts a third sub-layer, which performs multi-head attention over the output of the
// encoder stack. [...] We also modify the self-attention sub-layer in the decoder stack to
// prevent positions from attending to subsequent positions", so that "the predictions for
// position i can depend only on the known outputs at positions less than i":
//
//   y = Residual(y, MultiHead(y, y, y, target_mask))              causal (and padding) mask
//   y = Residual(y, MultiHead(y, memory, memory, source_mask))    "encoder-decoder attention"
//   y = Residual(y, FFN(y))
//
// Shapes: y [B, T, D], memory [B, S, D], target_mask [B, 1, T, T], source_mask [B, 1, 1, S].
// After each call, the cross-attention weights [B, H, T, S] show which source positions each
// target position read: the alignment pictures of Bahdanau et al. 2015, Figure 3.
#pragma once

#include <memory>
#include <vector>

#include "nn/attention/multi_head_attention.h"
#include "nn/layers/feed_forward.h"
#include "nn/transformer/layer_config.h"

namespace attn {

// What incremental decoding keeps for one decoder layer between steps.
struct DecoderLayerCache {
  AttentionCache self;   // keys and values of every target position decoded so far
  AttentionCache cross;  // keys and values of the memory, projected once per sentence
  // Keeps rows `rows` of both, in that order (beam search).
  void select_rows(const Tensor& rows) {
    self.select_rows(rows);
    cross.select_rows(rows);
  }
};

class DecoderLayer : public Module {
 public:
  DecoderLayer(const LayerConfig& config, Generator& generator);
  // y [B, T, D], memory [B, S, D], target_mask [B, 1, T, T], source_mask [B, 1, 1, S]
  //   -> [B, T, D]
  Variable forward(const Variable& y, const Variable& memory, const Tensor& target_mask,
                   const Tensor& source_mask);

  // Incremental decoding: the same result as forward() on the whole prefix, for the newest
  // positions only. y [N, T_new, D] -> [N, T_new, D]; the cache grows by T_new positions.
  DecoderLayerCache start_cache(const Variable& memory);
  Variable forward_step(const Variable& y, DecoderLayerCache& cache, const Tensor& source_mask);

  const MultiHeadAttention& self_attention() const { return self_attn_; }
  // Its attention_weights() are [B, H, T, S] from the last forward.
  const MultiHeadAttention& cross_attention() const { return cross_attn_; }

 private:
  NormPlacement norm_;
  MultiHeadAttention self_attn_;   // "self_attn"
  LayerNorm self_attn_norm_;       // "self_attn_norm"
  MultiHeadAttention cross_attn_;  // "cross_attn"
  LayerNorm cross_attn_norm_;      // "cross_attn_norm"
  FeedForward feed_forward_;       // "feed_forward"
  LayerNorm feed_forward_norm_;    // "feed_forward_norm"
  Dropout dropout_;                // residual dropout, §5.4
};

class Decoder : public Module {
 public:
  Decoder(const LayerConfig& config, int64_t layers, Generator& generator);
  // y [B, T, D] (embedded target), memory [B, S, D] -> [B, T, D]
  Variable forward(const Variable& y, const Variable& memory, const Tensor& target_mask,
                   const Tensor& source_mask);

  // Incremental decoding through every layer (see DecoderLayer::forward_step).
  std::vector<DecoderLayerCache> start_cache(const Variable& memory);
  Variable forward_step(const Variable& y, std::vector<DecoderLayerCache>& caches,
                        const Tensor& source_mask);

  int64_t size() const { return static_cast<int64_t>(layers_.size()); }
  const DecoderLayer& layer(int64_t index) const;
  // Layer `index`'s cross-attention weights [B, H, T, S] from the last forward.
  const Tensor& cross_attention_weights(int64_t index) const;

 private:
  std::vector<std::unique_ptr<DecoderLayer>> layers_;  // "layers.0", "layers.1", ...
  // pre-LN only, "final_norm": as in Encoder, the unnormalised residual stream of a pre-LN
  // stack is normalised once before the output projection.
  std::unique_ptr<LayerNorm> final_norm_;
};

}  // namespace attn
