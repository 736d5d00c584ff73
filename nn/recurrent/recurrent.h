// Recurrent: stacked, optionally bidirectional GRU or LSTM layers over a padded batch, as
// torch.nn.GRU / nn.LSTM with batch_first=True and a packed (padded) sequence.
//
//            outputs [B, T, K*R] (forward | backward direction, 0 at padded steps)
//                 ^
//   layer L-1:  [fwd ->] [<- bwd]  concat        final: L*K states, PyTorch's order
//                 ^  dropout (training only, between layers)      (l0 fwd, l0 bwd, l1 fwd, ...)
//   layer 0:    [fwd ->] [<- bwd]  concat
//                 ^
//            inputs [B, T, I], mask [B, T]
//
// Each direction of each layer is one cell (nn/recurrent/cell.h) run over the sequence:
//   x_gates = x W_ih^T + b_ih                  all steps in one product       [B, T, G*R]
//   for t:  state_{t+1} = cell(x_gates[:, t], state_t)    (recurrent_scan, autograd/ops.h)
// The backward direction reads each row from its own last real token back to its first. Padding
// is exact: a padded step never changes a state, its output is 0, and each row's final state is
// its state after its last real step (forward: t = length-1, backward: t = 0), as PyTorch's
// packed sequences give.
//
// Parameters carry PyTorch's state_dict names and shapes: weight_ih_l0 [G*R, I], weight_hh_l0
// [G*R, R], bias_ih_l0, bias_hh_l0 [G*R], then *_l0_reverse, *_l1, ..., so weights map one to one.
//
// Shapes: B batch, T steps, I input width, R state width (hidden_size), G gates (GRU 3, LSTM 4),
// L layers, K directions (1 or 2).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "nn/layers/dropout.h"
#include "nn/module.h"
#include "nn/recurrent/cell.h"
#include "tensor/random.h"

namespace attn {

struct RecurrentOptions {
  CellKind cell = CellKind::gru;  // GRU or LSTM
  int64_t input_size = 0;         // I
  int64_t hidden_size = 0;        // R, per direction
  int64_t layers = 1;             // L
  bool bidirectional = false;     // K = 2 when true: a second, right-to-left cell per layer
  real dropout = 0;               // on each layer's output but the last, as PyTorch (training)
};

struct RecurrentOutput {
  Variable outputs;              // [B, T, K*R] the last layer's outputs, forward then backward
                                 // direction concatenated; exactly 0 at padded steps
  std::vector<CellState> final;  // [L*K] in PyTorch's order (l0 fwd, l0 bwd, l1 fwd, ...): each
                                 // direction's state after its last real step
};

class Recurrent : public Module {
 public:
  // generator: the initial weights, and the dropout masks (kept by reference, as Dropout does).
  Recurrent(const RecurrentOptions& options, Generator& generator);

  // inputs [B, T, I]; mask [B, T], 1 = real step, right padding (each row's real steps first),
  // undefined: every step real; initial: empty (zeros) or L*K states in PyTorch's order.
  RecurrentOutput forward(const Variable& inputs, const Tensor& mask = {},
                          const std::vector<CellState>& initial = {}) const;

  const RecurrentOptions& options() const { return options_; }
  int64_t directions() const { return options_.bidirectional ? 2 : 1; }  // K
  // The cell of `layer`, `direction` 0 (left to right) or 1 (right to left).
  const RecurrentCell& cell(int64_t layer, int64_t direction) const;

 private:
  // One direction of one layer: x [B, T, in] -> y [C, B, T+1, R] (recurrent_scan's layout).
  Variable run_direction(const RecurrentCell& cell, const Variable& x,
                         const std::vector<int64_t>& lengths, const CellState& initial,
                         bool reverse) const;

  RecurrentOptions options_;
  std::vector<std::unique_ptr<RecurrentCell>> cells_;  // [L*K], PyTorch's order
  Dropout dropout_;
};

// The real-step count of each row of a right-padded mask [B, T] (1 = real, 0 = padding); every
// step real when the mask is undefined. Throws on a mask that is not 0/1 or not right-padded.
std::vector<int64_t> lengths_from_mask(const Tensor& mask, int64_t batch, int64_t steps);

}  // namespace attn
