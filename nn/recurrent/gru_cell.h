// GruCell: one step of a gated recurrent unit (Cho et al. 2014, §2.3), as torch.nn.GRUCell.
//
//   r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
//   z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
//   n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))
//   h' = (1 - z) * n + z * h
// with PyTorch's gate order [r | z | n] in the rows of weight_ih [3R, I] and weight_hh [3R, R],
// so nn.GRU's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 load one to one.
//
// x_gates [B, 3R], h [B, R] -> h' [B, R]
#pragma once

#include "nn/recurrent/cell.h"

namespace attn {

class GruCell : public RecurrentCell {
 public:
  GruCell(int64_t input_size, int64_t hidden_size, Generator& generator);
  CellState step(const Variable& x_gates, const CellState& state) const override;
};

}  // namespace attn
