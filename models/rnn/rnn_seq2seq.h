// What Bahdanau's and Luong's models share: a recurrent encoder, a stack of decoder cells that
// steps once per target token, one attention over the encoder's states, and the loop.
//
//   x [B, S] -> Embed, dropout -> recurrent encoder -> memory h_1 .. h_S [B, S, M]
//                                                   -> final states -> s_0 (initial_state)
//   for t = 1 .. T:   y_{t-1} -> Embed, dropout -> decoder_step -> features_t -> logits_t [B, V]
//
// decoder_step is where the two papers differ (bahdanau.h, luong.h): which state queries the
// attention, and what the cell and the output read. Everything else lives here once:
//   - encode: the source through embedding, dropout and the encoder (nn/recurrent/recurrent.h);
//   - start: s_0 from the encoder's final states, the memory's keys prepared once for the score;
//   - forward (teacher forcing): the embedding's share of the first cell's input gates for all T
//     steps as one product before the loop, then T decoder steps, then one output product over
//     all steps' features [B, T, O] @ [O, V], rather than T small ones;
//   - step (decoding): the same decoder_step for one token.
// A model that reads something other than tokens keeps the decoder and brings its own encoder:
// it builds this class without the text encoder and overrides encode() (Listen, Attend and
// Spell's listener, models/las/).
// Shapes: B batch, S source, T target length, D embedding width, R the decoder's state width,
// M the memory's width, G gates per cell (GRU 3, LSTM 4), O the output features' width,
// V vocabulary, N rows being decoded.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nn/recurrent/cell_stack.h"
#include "models/rnn/rnn_config.h"
#include "models/seq2seq/seq2seq.h"
#include "nn/attention/attention.h"
#include "nn/layers/dropout.h"
#include "nn/layers/embedding.h"
#include "nn/layers/linear.h"
#include "nn/recurrent/recurrent.h"

namespace attn {

// What the decoder carries from one target step to the next.
struct RnnState : DecoderState {
  std::vector<CellState> layers;  // each decoder layer's state [N, R]
  Memory memory;                  // states [N, S, M], mask [N, S]
  Variable keys;                  // the memory as the score prepared it, [N, S, *]
  Variable feed;                  // Luong's input feeding, h~_{t-1} [N, R]; else undefined
  AlignmentHistory history;       // earlier steps' weights, for scores that look back
  int64_t position = 0;           // target steps taken
  Tensor weights;                 // the last step's attention [N, S]
  // W_ih[:, D:]^T [X, G R] of the first decoder cell: the weights of its input beyond the
  // embedding (c_t or h~_{t-1}), sliced once per sequence rather than once per step
  Variable extra_weights;
  // Bahdanau's decoding (bahdanau.cpp): the memory through the maps c_t feeds, once per source:
  // the first cell's input gates [N, S, G R] and the output layer [N, S, V]; else undefined
  Variable projected_gates, projected_logits;
  void reorder(const Tensor& rows) override;
};

class RnnSeq2Seq : public Seq2Seq {
 public:
  // source tokens [B, S] -> memory [B, S, M] (0 at padding), its mask, the final states
  Memory encode(const Source& source) override;
  std::unique_ptr<DecoderState> start(const Memory& memory) override;
  // tokens [N] -> logits [N, V] and the step's attention [N, 1, 1, S]
  Step step(const Tensor& tokens, DecoderState& state) override;
  // source [B, S], target_in [B, T] -> logits [B, T, V]
  Variable forward(const Source& source, const Tensor& target_in) override;

  int64_t target_vocab() const override { return config_.target_vocab; }
  Generator& generator() override { return generator_; }
  const RnnConfig& config() const { return config_; }

 protected:
  // first_input: the width of the first decoder cell's input, D + whatever the model adds.
  // text_encoder: the source embedding and recurrent encoder above; without it the subclass
  // overrides encode(), leaving final states as the text encoder's (config's encoder_layers,
  // directions and encoder_width) for initial_state.
  RnnSeq2Seq(const RnnConfig& config, int64_t first_input, bool text_encoder = true);

  // One target step: the embedding's share of the first cell's input gates [N, G R], the
  // embedded token [N, D], the state -> the output's features [N, O]. Updates the state's
  // layers, feed and weights.
  virtual Variable decoder_step(const Variable& embedded_gates, const Variable& embedded,
                                RnnState& state) = 0;
  // features [..., O] -> logits [..., V]
  virtual Variable logits(const Variable& features) const = 0;
  // One decoding step: the embedded token [N, D] -> logits [N, V], through decoder_step and
  // logits. A model may compute the same numbers another way, faster for decoding.
  virtual Variable step_logits(const Variable& embedded, RnnState& state);

  // a_t and c_t for one query [N, R] over the state's memory -> context [N, M], weights [N, S]
  AttentionResult attend_memory(const Variable& query, RnnState& state);

  RnnConfig config_;
  Generator generator_;             // declared before the modules: they draw their weights from it
  std::unique_ptr<Embedding> source_embedding_;  // "source_embedding" (text encoder only)
  Embedding target_embedding_;      // "target_embedding"
  Dropout dropout_;                 // "dropout"
  std::unique_ptr<Recurrent> encoder_;            // "encoder" (text encoder only)
  std::unique_ptr<Linear> bridge_;  // "bridge": W_s of initial_state backward | last
  std::unique_ptr<ScoreFunction> attention_;  // "attention": the score, windowed or not
  CellStack decoder_;                         // "decoder"

  // embedded [..., D] -> the embedding's share of the first cell's input gates [..., G R]
  Variable embedded_gates(const Variable& embedded) const;

 private:
  // The decoder's first states s_0, one per layer, from the encoder's (config.initial_state).
  std::vector<CellState> initial_states(const Memory& memory) const;
};

}  // namespace attn
