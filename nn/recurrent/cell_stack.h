// A stack of recurrent cells stepped together, one target token at a time: a decoder's layers.
//
//   h^1_t = cell_1(x_t, h^1_{t-1})
//   h^l_t = cell_l(dropout(h^{l-1}_t), h^l_{t-1})          l = 2 .. L
//
// nn/recurrent/recurrent.h runs a whole sequence whose inputs are known in advance; a decoder's
// input at step t depends on the attention at step t, so it steps the cells itself. Dropout sits
// between layers, as in nn.GRU/nn.LSTM and Zaremba et al. 2014 (not on the recurrent paths).
// Parameters carry PyTorch's names (weight_ih_l0, weight_hh_l0, ...), so they map one to one.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nn/layers/dropout.h"
#include "nn/module.h"
#include "nn/recurrent/cell.h"

namespace attn {

class CellStack : public Module {
 public:
  // input_size: the first cell's input width; each cell's state is hidden_size R wide.
  CellStack(CellKind kind, int64_t input_size, int64_t hidden_size, int64_t layers, real dropout,
            Generator& generator);

  // x_gates [N, G R]: the first cell's input side x W_ih^T + b_ih, computed by the caller (it may
  // build it from parts); states: one per layer -> the next states, one per layer.
  std::vector<CellState> step(const Variable& x_gates, const std::vector<CellState>& states) const;
  std::vector<CellState> zero_states(int64_t N) const;  // zeros [N, R] for each layer

  const RecurrentCell& layer(size_t l) const { return *cells_.at(l); }
  size_t size() const { return cells_.size(); }

 private:
  std::vector<std::unique_ptr<RecurrentCell>> cells_;
  Dropout dropout_;
};

}  // namespace attn
