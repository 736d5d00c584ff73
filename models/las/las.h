// Listen, Attend and Spell: a speech recogniser that spells what it hears, one character at a
// time, attending to the part of the audio it is spelling.
//
// Chan, Jaitly, Le & Vinyals 2016, "Listen, Attend and Spell", §3. The listener (listener.h)
// turns log-mel frames into a shorter sequence h; the speller is the recurrent attention decoder
// of machine translation (models/rnn/luong.h) over h, unchanged, with location-aware attention
// (Chorowski et al. 2015) by default:
//
//   frames x [B, T, F] ──Listen──> h = (h_1 .. h_U)                 [B, U, 2R_l]   (eq. 2)
//   for each character i:
//     s_i      = LSTM([y_{i-1}; s~_{i-1}], s_{i-1})                  [B, R]         (eq. 6)
//     alpha_i  = softmax_u(score(s_i, h_u, alpha_{i-1}))             [B, U]         (eq. 8, 9)
//     c_i      = sum_u alpha_iu h_u                                  [B, 2R_l]      (eq. 10)
//     s~_i     = tanh(W_c [c_i; s_i]),  P(y_i) = softmax(W_s s~_i)   [B, V]         (eq. 7)
//
// The paper's speller feeds c_{i-1} to the next step and reads the characters off an MLP of
// [s_i; c_i]; Luong's decoder feeds the one-layer MLP's output s~_{i-1}, which carries c_{i-1}:
// the same information through one more layer, and the same code as the translation models,
// greedy and beam search included.
// Shapes: B batch, T frames, F features, U = T / 2^P listener steps, R_l listener width (each
// direction), R the speller's state, V characters.
#pragma once

#include "models/las/las_config.h"
#include "models/las/listener.h"
#include "models/rnn/luong.h"

namespace attn {

class ListenAttendSpell : public LuongModel {
 public:
  explicit ListenAttendSpell(const LasConfig& config);

  // frames [B, T, F] (Source::input), mask [B, T] -> listener states [B, U, 2R_l], mask [B, U]
  Memory encode(const Source& source) override;

  const LasConfig& las_config() const { return las_; }
  const Listener& listener() const { return listener_; }

 private:
  LasConfig las_;
  Listener listener_;  // "listener"
};

}  // namespace attn
