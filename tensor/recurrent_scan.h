// A recurrent cell run over every step of a padded batch: the time loop of a GRU or LSTM layer,
// forward and backward through time, as two kernels.
//
//   for s = 0 .. S-1:                           S = the longest row's length
//     h_gates = h_s W_hh^T                      one product for all gates and rows  [B, G*R]
//     each row b with a real step s:            t = s, or t = len_b - 1 - s when reversed
//       state_{s+1}[b] = cell(x_gates[b, t], h_gates[b] + b_hh, state_s[b])
//       y[:, b, t] = state_{s+1}[b]
//     each row b past its length:               a padded step never changes a state
//       state_{s+1}[b] = state_s[b]
//   y[:, b, T] = state_S[b]                     each row's final state
// The cell is gru_cell.h's or lstm_cell.h's row of gate math; a state is h (GRU) or (h, c)
// (LSTM), C = 1 or 2 tensors of [B, R]. x_gates = x W_ih^T + b_ih is the caller's: one large
// product for all steps before the loop. A reversed scan reads each row from its own last real
// token back to its first, so right padding never enters the backward direction.
//
// Backward through time (Werbos 1990), from g = dL/dy:
//   d state = g[:, :, T]
//   for s = S-1 .. 0:   each real row adds g[:, b, t], runs the cell's row backward (which
//                       gives d x_gates[b, t], d h_gates[s, b] and the direct d state), and
//                       d h_s += d h_gates[s] W_hh      (one product per step);
//                       a padded row passes d state through unchanged, d h_gates[s, b] = 0
//   d W_hh = sum_s d h_gates[s]^T h_s   one product over all steps at once:  [G*R, S*B] @ [S*B, R]
//   d b_hh = sum over steps and rows of d h_gates
// Every padded position of y is a constant 0 and its gradient is ignored.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace attn {

// The two cells of attn's recurrent layers (nn/recurrent/), with PyTorch's gate orders.
enum class CellKind { gru, lstm };

int64_t gate_count(CellKind kind);   // G: 3 for GRU (r, z, n), 4 for LSTM (i, f, g, o)
int64_t state_count(CellKind kind);  // C: 1 for GRU (h), 2 for LSTM (h, c)

struct RecurrentScanForward {
  Tensor y;       // [C, B, T+1, R] the state at each real step (0 at padded ones), then the final
  Tensor states;  // [C, S+1, B, R] saved: the state before each step, and after the last
  Tensor gates;   // [S, B, 4R] (GRU) or [S, B, 5R] (LSTM) saved gate values, for backward
};

struct RecurrentScanBackward {
  Tensor grad_x_gates;    // [B, T, G*R], 0 at padded positions
  Tensor grad_weight_hh;  // [G*R, R]
  Tensor grad_bias_hh;    // [G*R]
  Tensor grad_initial;    // [C, B, R]
};

// x_gates [B, T, G*R]; weight_hh [G*R, R]; bias_hh [G*R]; initial [C, B, R];
// lengths: B real-step counts in 0 .. T (each row's real steps come first).
RecurrentScanForward recurrent_scan_forward(CellKind kind, const Tensor& x_gates,
                                            const Tensor& weight_hh, const Tensor& bias_hh,
                                            const Tensor& initial,
                                            const std::vector<int64_t>& lengths, bool reverse);

// grad_y [C, B, T+1, R]; states, gates as saved by the forward.
RecurrentScanBackward recurrent_scan_backward(CellKind kind, const Tensor& grad_y,
                                              const Tensor& states, const Tensor& gates,
                                              const Tensor& weight_hh,
                                              const std::vector<int64_t>& lengths, bool reverse);

}  // namespace attn
