// Transformer: the encoder-decoder of Vaswani et al. 2017, "Attention Is All You Need".
//
// Figure 1, end to end, for source tokens x [B, S] and shifted-right target tokens y [B, T]:
//
//        x [B, S]                                  y [B, T]  (<bos> y_1 .. y_{T-1})
//           | Embed_src * sqrt(D) + PE, dropout       | Embed_tgt * sqrt(D) + PE, dropout
//           v                                         v
//   +-- N x -----------------+              +-- N x ------------------------------+
//   | self-attention         |              | masked self-attention (causal)      |
//   |   (source padding)     |   memory     | cross-attention over the memory <---+--- [B, S, D]
//   | feed-forward           +------------->| feed-forward                        |
//   +------------------------+  [B, S, D]   +-------------------------------------+
//                                                     | h W_out^T
//                                                     v
//                                               logits [B, T, V]
//
// §3.4: "In the embedding layers, we multiply those weights by sqrt(d_model)", and "we share the
// same weight matrix between the two embedding layers and the pre-softmax linear transformation"
// (tie_output here; also Press & Wolf 2017). Sharing the source and target tables as well
// (share_embeddings) needs a joint vocabulary, as the paper's shared BPE had.
//
// Embedding tables start as N(0, 1/D), not nn/layers/embedding.h's N(0, 1): multiplied by
// sqrt(D) the embedded tokens have unit variance, the same scale as the sinusoids they are added
// to, and a tied output projection starts with logits of unit variance (tensor2tensor and fairseq
// initialise them so). The padding row starts at zero and gets no gradient from the lookup;
// tied, it still learns as the output vector of the pad logit. That is harmless: padded keys are
// masked, and the loss ignores padded positions.
//
// Incremental decoding (step): instead of re-running the decoder over the whole prefix for
// every new token (O(T^2) work per sequence), each step feeds only the newest token and reuses
// the keys and values cached for the earlier ones (nn/transformer/decoder.h).
//
// The model owns one Generator, seeded from config.seed, for its initial weights and for every
// dropout mask: one seed fixes a whole run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/seq2seq/model_config.h"
#include "models/seq2seq/seq2seq.h"
#include "nn/layers/embedding.h"
#include "nn/layers/linear.h"
#include "nn/layers/positional_encoding.h"
#include "nn/transformer/decoder.h"
#include "nn/transformer/encoder.h"

namespace attn {

struct TransformerConfig : ModelConfig {
  int64_t d_model = 512;           // D, model width, paper Table 3 "base"
  int64_t heads = 8;               // H, attention heads, Table 3
  int64_t d_ff = 2048;             // F, feed-forward inner width, Table 3
  int64_t encoder_layers = 6;      // N, encoder layers, Table 3
  int64_t decoder_layers = 6;      // N, decoder layers, Table 3
  real dropout = 0.1;              // P_drop on embeddings and sublayer outputs, §5.4
  std::string score = "scaled_dot";          // score function (nn/attention/registry.h)
  NormPlacement norm = NormPlacement::post;  // post-LN as the paper; pre-LN: layer_config.h
  Activation activation = Activation::relu;  // feed-forward non-linearity, §3.3
  // Sinusoids as the paper (§3.5); learned: one trained vector per position (BERT, GPT), "nearly
  // identical results" (Table 3, row E) but no positions past max_length (positional_encoding.h)
  PositionalEncodingKind positional = PositionalEncodingKind::sinusoidal;
  bool share_embeddings = false;   // source and target use one table; needs equal vocabularies
  bool tie_output = true;          // logits use the target embedding as W_out, §3.4

  // Named sizes (D, H, F, layers each side). "base" is Table 3's base model; micro, tiny and
  // small fit tests and toy tasks:  micro 16, 2, 32, 2   tiny 128, 4, 512, 2
  //                                 small 256, 4, 1024, 3   base 512, 8, 2048, 6
  static TransformerConfig micro(int64_t source_vocab = 0, int64_t target_vocab = 0);
  static TransformerConfig tiny(int64_t source_vocab = 0, int64_t target_vocab = 0);
  static TransformerConfig small(int64_t source_vocab = 0, int64_t target_vocab = 0);
  static TransformerConfig base(int64_t source_vocab = 0, int64_t target_vocab = 0);

  // The per-layer settings shared by the encoder and decoder layers.
  LayerConfig layer() const;

  std::string arch() const override { return "transformer"; }
  int64_t model_width() const override { return d_model; }
  Settings settings() override;
  std::vector<std::string> presets() const override;
  void apply_preset(const std::string& name) override;
  std::unique_ptr<ModelConfig> clone() const override;
  void check() const override;
  std::unique_ptr<Seq2Seq> build() const override;
  int64_t parameter_count() const override;
};

// What the decoder keeps between steps: the memory's mask, each layer's caches, the position.
struct TransformerState : DecoderState {
  Tensor memory_mask;                     // [N, 1, 1, S]; undefined: every position
  std::vector<DecoderLayerCache> layers;  // one per decoder layer
  int64_t position = 0;                   // target positions decoded so far
  void reorder(const Tensor& rows) override;
};

class Transformer : public Seq2Seq {
 public:
  explicit Transformer(const TransformerConfig& config);

  // source tokens [B, S] -> memory [B, S, D] with the source's mask
  Memory encode(const Source& source) override;
  // target_in [B, T] token ids (shifted right: <bos> first), memory -> logits [B, T, V]
  Variable decode(const Tensor& target_in, const Memory& memory);
  // encode, then decode: source [B, S], target_in [B, T] -> logits [B, T, V]
  Variable forward(const Source& source, const Tensor& target_in) override;

  std::unique_ptr<DecoderState> start(const Memory& memory) override;
  // tokens [N] at the next position -> logits [N, V] and the cross-attention of every decoder
  // layer [N, L, H, S]. The logits equal decode()'s for the same prefix
  // (tests/models/decoding/test_decoding.cpp).
  Step step(const Tensor& tokens, DecoderState& state) override;

  int64_t target_vocab() const override { return config_.target_vocab; }
  Generator& generator() override { return generator_; }
  const TransformerConfig& config() const { return config_; }
  const Embedding& source_embedding() const { return *source_embedding_; }
  // The source table itself when share_embeddings is set.
  const Embedding& target_embedding() const;
  // W_out [V, D] of logits = h W_out^T: the target embedding's weight when tie_output is set.
  const Variable& output_weight() const;

 private:
  // tokens [B, L] -> Dropout(Embed(tokens) * sqrt(D) + positions) [B, L, D]
  Variable embed(const Embedding& table, const PositionalEncoding& positions,
                 const Tensor& tokens, int64_t offset = 0) const;
  // h [B, L, D] -> logits h W_out^T [B, L, V]
  Variable logits(const Variable& h) const;

  TransformerConfig config_;
  Generator generator_;  // declared before the modules: they draw their weights from it
  std::unique_ptr<Embedding> source_embedding_;  // "source_embedding"
  std::unique_ptr<Embedding> target_embedding_;  // "target_embedding"; null when shared
  std::unique_ptr<PositionalEncoding> source_positions_;  // "source_positions"
  std::unique_ptr<PositionalEncoding> target_positions_;  // "target_positions"
  Dropout dropout_;   // on the embedded inputs of both stacks, §5.4
  Encoder encoder_;   // "encoder"
  Decoder decoder_;   // "decoder"
  std::unique_ptr<Linear> output_;  // "output" (W_out [V, D]); null when tied
};

}  // namespace attn
