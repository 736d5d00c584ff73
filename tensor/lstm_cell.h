// The long short-term memory cell's gate math for one step, forward and backward (Hochreiter &
// Schmidhuber 1997, with the forget gate of Gers et al. 2000), in the form and gate order of
// PyTorch's nn.LSTM documentation, so that its weights map one to one:
//
//   i  = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      input gate
//   f  = sigmoid(W_if x + b_if + W_hf h + b_hf)      forget gate
//   g  = tanh(W_ig x + b_ig + W_hg h + b_hg)         candidate cell
//   o  = sigmoid(W_io x + b_io + W_ho h + b_ho)      output gate
//   c' = f * c + i * g
//   h' = o * tanh(c')
//
// The products are done by the caller, for all gates at once, in the order [i | f | g | o]:
//   x_gates = x W_ih^T + b_ih   [B, 4R]     h_gates = h W_hh^T   [B, 4R]   (b_hh added here)
// The cell has two outputs, h' and c'. attn's graph nodes have one output each, so the step op
// returns them stacked, [2, B, R] = (h', c'), and the caller takes each by a view; the backward
// receives both gradients in one [2, B, R] tensor.
//
// Backward, with gh = dL/dh', gc = dL/dc' (from later steps) and the saved i, f, g, o, tanh(c'):
//   dc' = gc + gh o (1 - tanh(c')^2)                 c' reaches the loss directly and through h'
//   do = gh tanh(c'),  di = dc' g,  dg = dc' i,  df = dc' c,  dc = dc' f
//   d gates = [di i (1 - i) | df f (1 - f) | dg (1 - g^2) | do o (1 - o)]
// Every gate is a sum x_gates + h_gates + b_hh, so d x_gates = d h_gates = d gates and
// d b_hh = sum_B d gates; dh comes from the caller's product h W_hh^T.
#pragma once

#include <cstdint>

#include "tensor/gate_math.h"
#include "tensor/tensor.h"

namespace attn {

// ---- one row: R elements, shared by the step op and the scan over a sequence ------------------
// No two arrays of a call overlap (__restrict says so), which lets the compiler vectorise the loop.

// Saved per row for backward, [5R]: i, f, g, o and tanh(c').
constexpr int64_t kLstmSavedGates = 5;

// x_gates, h_gates, bias_hh [4R]; c [R] -> h_next, c_next [R], saved [5R].
inline void lstm_row_forward(const real* __restrict x_gates, const real* __restrict h_gates,
                             const real* __restrict bias_hh, const real* __restrict c, int64_t R,
                             real* __restrict h_next, real* __restrict c_next,
                             real* __restrict saved) {
  for (int64_t j = 0; j < R; ++j) {
    const real i = gate_sigmoid(x_gates[j] + h_gates[j] + bias_hh[j]);
    const real f = gate_sigmoid(x_gates[R + j] + h_gates[R + j] + bias_hh[R + j]);
    const real g = gate_tanh(x_gates[2 * R + j] + h_gates[2 * R + j] + bias_hh[2 * R + j]);
    const real o = gate_sigmoid(x_gates[3 * R + j] + h_gates[3 * R + j] + bias_hh[3 * R + j]);
    const real c_new = f * c[j] + i * g;
    const real tanh_c = gate_tanh(c_new);
    c_next[j] = c_new;
    h_next[j] = o * tanh_c;
    saved[j] = i;
    saved[R + j] = f;
    saved[2 * R + j] = g;
    saved[3 * R + j] = o;
    saved[4 * R + j] = tanh_c;
  }
}

// grad_h_next, grad_c_next, c [R]; saved [5R] -> grad_gates [4R], grad_c [R].
inline void lstm_row_backward(const real* __restrict grad_h_next,
                              const real* __restrict grad_c_next, const real* __restrict saved,
                              const real* __restrict c, int64_t R, real* __restrict grad_gates,
                              real* __restrict grad_c) {
  for (int64_t j = 0; j < R; ++j) {
    const real i = saved[j], f = saved[R + j], g = saved[2 * R + j], o = saved[3 * R + j];
    const real tanh_c = saved[4 * R + j];
    // in the forward pass this was h' = o tanh(c') and c' = f c + i g, so now:
    const real dc_next = grad_c_next[j] + grad_h_next[j] * o * (1 - tanh_c * tanh_c);
    const real d_o = grad_h_next[j] * tanh_c;
    const real di = dc_next * g, dg = dc_next * i, df = dc_next * c[j];
    grad_gates[j] = di * i * (1 - i);
    grad_gates[R + j] = df * f * (1 - f);
    grad_gates[2 * R + j] = dg * (1 - g * g);
    grad_gates[3 * R + j] = d_o * o * (1 - o);
    grad_c[j] = dc_next * f;
  }
}

// ---- one step over a batch ----------------------------------------------------------------------

struct LstmCellForward {
  Tensor state;  // [2, B, R] (h', c')
  Tensor saved;  // [B, 5R] i, f, g, o, tanh(c'), for backward
};

struct LstmCellBackward {
  Tensor grad_gates;    // [B, 4R], for x_gates and h_gates alike
  Tensor grad_bias_hh;  // [4R]
  Tensor grad_c;        // [B, R]
};

// x_gates, h_gates [B, 4R]; bias_hh [4R]; c [B, R].
LstmCellForward lstm_cell_forward(const Tensor& x_gates, const Tensor& h_gates,
                                  const Tensor& bias_hh, const Tensor& c);
// grad_state [2, B, R] = (dL/dh', dL/dc').
LstmCellBackward lstm_cell_backward(const Tensor& grad_state, const Tensor& saved, const Tensor& c);

}  // namespace attn
