// Luong attention: the decoder steps first, then its new state looks back at the source.
//
// Luong, Pham & Manning 2015, "Effective Approaches to Attention-based Neural Machine
// Translation", §3. A stacked LSTM reads the source; the decoder's top state h_t, computed
// before any attention, is the query; the context joins it only on the way out:
//
//   x [B, S] -> Embed -> stacked LSTM -> memory h_1 .. h_S  [B, S, M]
//   decoder starts from the encoder's final states (layer by layer)
//   for each target step t:
//     h_t  = LSTM([Embed(y_{t-1}); h~_{t-1}], h_{t-1})     input feeding, §3.3      [B, R]
//     a_t  = align(h_t, h_s)    global: softmax over all s (§3.1)                  [B, S]
//                               local-m / local-p: a window around p_t (§3.2)
//     c_t  = sum_s a_ts h_s                                                         [B, M]
//     h~_t = tanh(W_c [c_t; h_t])                          the attentional state, eq. (5)
//     logits_t = W_s h~_t + b                                                 eq. (6)  [B, V]
//
//   y_{t-1} ──Embed──┐
//                    v
//   h~_{t-1} ──> [y; h~] ──> LSTM ──> h_t ──> attention ──> c_t ──> tanh(W_c [c_t; h_t]) ──> h~_t
//       ^                             │                                ^          │
//       │                             └────────────────────────────────┘          v
//       └──────────────────────────────────────── input feeding ─────────── W_s -> logits_t
//
// The scores of §3.1 (dot, general, concat = additive, location) and every other registered one
// plug in with --score; the windows with --window (nn/attention/local_window.h). Without input
// feeding (--input-feed false) the LSTM reads the embedding alone.
#pragma once

#include "models/rnn/rnn_seq2seq.h"

namespace attn {

class LuongModel : public RnnSeq2Seq {
 public:
  explicit LuongModel(const RnnConfig& config);

 protected:
  // text_encoder: as RnnSeq2Seq's (a subclass without it brings its own encode())
  LuongModel(const RnnConfig& config, bool text_encoder);

  // the cell reads [y_{t-1}; h~_{t-1}]; h_t queries; features h~_t [N, R]
  Variable decoder_step(const Variable& embedded_gates, const Variable& embedded,
                        RnnState& state) override;
  // h~ [..., R] -> [..., V]
  Variable logits(const Variable& features) const override { return output_.forward(features); }

 private:
  Linear combine_;  // "combine": W_c [R, M + R], no bias (eq. 5)
  Linear output_;   // "output": W_s [V, R] and b [V] (eq. 6)
};

}  // namespace attn
