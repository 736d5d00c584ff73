// Bahdanau attention: the encoder-decoder that learns to align while it translates.
//
// Bahdanau, Cho & Bengio 2015, "Neural Machine Translation by Jointly Learning to Align and
// Translate", §3 and Appendix A. At every target step the decoder's previous state s_{t-1} asks
// which source words matter now; their blend c_t then feeds the state update:
//
//   x [B, S] -> Embed -> bidirectional GRU -> h_s = [->h_s; <-h_s]   memory [B, S, M]   §3.2
//   s_0 = tanh(W_s <-h_1)                                                             A.2.2
//   for each target step t:
//     e_ts = score(s_{t-1}, h_s)            additive: v^T tanh(W_a s_{t-1} + U_a h_s)  (6)
//     a_t  = softmax_s(e_t)                 over the real source positions             (6)
//     c_t  = sum_s a_ts h_s                                               [B, M]       (5)
//     s_t  = GRU([Embed(y_{t-1}); c_t], s_{t-1})                          [B, R]       (4)
//     logits_t = W_out [s_t; c_t; Embed(y_{t-1})] + b                     [B, V]
//
//            y_{t-1} ──Embed──┬─────────────────────────┐
//                             v                         v
//   s_{t-1} ──> attention ──> c_t ──> GRU ──> s_t ──> [s_t; c_t; y] ──> W_out ──> logits_t
//       │        ^  over h_1 .. h_S           ^
//       └────────┴────────────────────────────┘ (the GRU's recurrent input)
//
// Decoding one token at a time reads every weight once per token. c_t only ever enters linear
// maps (the GRU's input gates and the output layer), and a linear map commutes with the blend:
//   W c_t = W (sum_s a_ts h_s) = sum_s a_ts (W h_s)
// So decoding few rows projects the memory once per source, P = h W^T [N, S, G R + V], and each
// step reads a_t P: N S (G R + V) numbers instead of the M (G R + V) of W (bahdanau.cpp).
//
// The output layer is the PyTorch tutorial's (bentrevett/pytorch-seq2seq, notebook 3), which the
// benchmark against PyTorch mirrors; the paper feeds the same three vectors through a maxout
// layer (A.2.2). Any registered score can replace the additive one (--score), and the
// state before the step stays the query whatever the score.
#pragma once

#include "models/rnn/rnn_seq2seq.h"

namespace attn {

class BahdanauModel : public RnnSeq2Seq {
 public:
  explicit BahdanauModel(const RnnConfig& config);

 protected:
  // s_{t-1} queries; the cell reads [y_{t-1}; c_t]; features [s_t; c_t; y_{t-1}] [N, R + M + D]
  Variable decoder_step(const Variable& embedded_gates, const Variable& embedded,
                        RnnState& state) override;
  // [..., R + M + D] -> [..., V]
  Variable logits(const Variable& features) const override { return output_.forward(features); }
  // The same logits as decoder_step and logits, from the projected memory when that is cheaper.
  Variable step_logits(const Variable& embedded, RnnState& state) override;

 private:
  // P = h W^T for the two maps c_t enters, into state.projected_gates and projected_logits.
  void project_memory(RnnState& state) const;

  Linear output_;  // "output": W_out [V, R + M + D] and b [V]
};

}  // namespace attn
