// LstmCell: one step of a long short-term memory (Hochreiter & Schmidhuber 1997, with the
// forget gate of Gers et al. 2000), as torch.nn.LSTMCell.
//
//   i  = sigmoid(W_ii x + b_ii + W_hi h + b_hi)
//   f  = sigmoid(W_if x + b_if + W_hf h + b_hf)
//   g  = tanh(W_ig x + b_ig + W_hg h + b_hg)
//   o  = sigmoid(W_io x + b_io + W_ho h + b_ho)
//   c' = f * c + i * g
//   h' = o * tanh(c')
// with PyTorch's gate order [i | f | g | o] in the rows of weight_ih [4R, I] and weight_hh
// [4R, R], so nn.LSTM's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 load one to one.
//
// x_gates [B, 4R], (h, c) [B, R] each -> (h', c') [B, R] each
#pragma once

#include "nn/recurrent/cell.h"

namespace attn {

class LstmCell : public RecurrentCell {
 public:
  LstmCell(int64_t input_size, int64_t hidden_size, Generator& generator);
  CellState step(const Variable& x_gates, const CellState& state) const override;
};

}  // namespace attn
