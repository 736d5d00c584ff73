// Transformer: the encoder-decoder of Vaswani et al. 2017, "Attention Is All You Need".
//
// Figure 1, end to end, for source tokens x [B, S] and shifted-right target tokens y [B, T]:
//
//   memory = Encoder(Dropout(Embed_src(x) * sqrt(D) + PE[0..S)))        [B, S, D]
//   h      = Decoder(Dropout(Embed_tgt(y) * sqrt(D) + PE[0..T)), memory) [B, T, D]
//   logits = h W_out^T                                                    [B, T, V]
//
// §3.4: "In the embedding layers, we multiply those weights by sqrt(d_model)", and "we share the
// same weight matrix between the two embedding layers and the pre-softmax linear transformation"
// (tie_output here; also Press & Wolf 2017). Sharing the source and target tables as well
// (share_embeddings) needs a joint vocabulary, as the paper's shared BPE had.
//
// Embedding tables start as N(0, 1/D), not nn/embedding.h's N(0, 1): multiplied by sqrt(D) the
// embedded tokens have unit variance, the same scale as the sinusoids they are added to, and a
// tied output projection starts with logits of unit variance (tensor2tensor and fairseq
// initialise them so). The padding row starts at zero and gets no gradient from the lookup;
// tied, it still learns as the output vector of the pad logit. That is harmless: padded keys are
// masked, and the loss ignores padded positions.
//
// The model owns one Generator, seeded from config.seed, for its initial weights and for every
// dropout mask: one seed fixes a whole run.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "nn/transformer/decoder.h"
#include "nn/layers/embedding.h"
#include "nn/transformer/encoder.h"
#include "nn/layers/linear.h"
#include "nn/layers/positional_encoding.h"

namespace attn {

struct TransformerConfig {
  int64_t source_vocab = 0;        // V_src: source token ids are 0 .. source_vocab - 1
  int64_t target_vocab = 0;        // V: target token ids, the width of the logits
  int64_t d_model = 512;           // D, model width, paper Table 3 "base"
  int64_t heads = 8;               // H, attention heads, Table 3
  int64_t d_ff = 2048;             // F, feed-forward inner width, Table 3
  int64_t encoder_layers = 6;      // N, encoder layers, Table 3
  int64_t decoder_layers = 6;      // N, decoder layers, Table 3
  real dropout = 0.1;              // P_drop on embeddings and sublayer outputs, §5.4
  std::string score = "scaled_dot";          // score function (nn/attention/registry.h)
  NormPlacement norm = NormPlacement::post;  // post-LN as the paper; pre-LN: nn/layer_config.h
  Activation activation = Activation::relu;  // feed-forward non-linearity, §3.3
  // Sinusoids as the paper (§3.5); learned: one trained vector per position (BERT, GPT), "nearly
  // identical results" (Table 3, row E) but no positions past max_length (positional_encoding.h)
  PositionalEncodingKind positional = PositionalEncodingKind::sinusoidal;
  int64_t max_length = 512;        // longest source or target sequence the positions cover
  bool share_embeddings = false;   // source and target use one table; needs equal vocabularies
  bool tie_output = true;          // logits use the target embedding as W_out, §3.4
  int64_t pad_index = 0;           // padding token: masked as a key, its row starts at zero
  uint64_t seed = 0;               // seeds the model's Generator: initial weights and dropout

  // Named sizes. "base" is Table 3's base model; tiny and small fit toy tasks on a CPU.
  static TransformerConfig tiny(int64_t source_vocab, int64_t target_vocab);   // 128, 4, 512, 2+2
  static TransformerConfig small(int64_t source_vocab, int64_t target_vocab);  // 256, 4, 1024, 3+3
  static TransformerConfig base(int64_t source_vocab, int64_t target_vocab);   // 512, 8, 2048, 6+6
  // One of the above by name; throws listing the known names otherwise.
  static TransformerConfig preset(const std::string& name, int64_t source_vocab,
                                  int64_t target_vocab);

  // The per-layer settings shared by the encoder and decoder layers.
  LayerConfig layer() const;
};

// Incremental decoding of N target sequences: instead of re-running the decoder over the whole
// prefix for every new token (O(T^2) work per sequence), each step feeds only the newest token
// and reuses the keys and values cached for the earlier ones (nn/decoder.h).
struct DecodingState {
  Tensor source_mask;                     // [N, 1, 1, S]
  std::vector<DecoderLayerCache> layers;  // one per decoder layer
  int64_t position = 0;                   // target positions decoded so far
  // Keeps rows `rows` (whole numbers), in that order: beam search follows surviving hypotheses.
  void reorder(const Tensor& rows);
};

class Transformer : public Module {
 public:
  explicit Transformer(const TransformerConfig& config);

  // source [B, S] token ids -> memory [B, S, D]
  Variable encode(const Tensor& source);
  // target_in [B, T] token ids (shifted right: BOS first), memory [B, S, D], source [B, S] for
  // its padding mask -> logits [B, T, V]
  Variable decode(const Tensor& target_in, const Variable& memory, const Tensor& source);
  // encode, then decode: source [B, S], target_in [B, T] -> logits [B, T, V]
  Variable forward(const Tensor& source, const Tensor& target_in);

  // Encodes source [N, S] and returns the state for decode_step.
  DecodingState start_decoding(const Tensor& source);
  // Feeds tokens [N, 1] at the next position -> logits [N, V] for the position after it. The
  // logits equal those decode() gives for the same prefix (tests/models/test_decoding.cpp).
  Variable decode_step(const Tensor& tokens, DecodingState& state);

  // Decoder layer `layer`'s cross-attention weights [B, H, T, S] from the last decode.
  const Tensor& cross_attention_weights(int64_t layer) const;

  const TransformerConfig& config() const { return config_; }
  Generator& generator() { return generator_; }
  const Embedding& source_embedding() const { return *source_embedding_; }
  // The source table itself when share_embeddings is set.
  const Embedding& target_embedding() const;
  // W_out [V, D] of logits = h W_out^T: the target embedding's weight when tie_output is set.
  const Variable& output_weight() const;

 private:
  // tokens [B, L] -> Dropout(Embed(tokens) * sqrt(D) + positions) [B, L, D]
  Variable embed(const Embedding& table, const PositionalEncoding& positions,
                 const Tensor& tokens, int64_t offset = 0) const;

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
