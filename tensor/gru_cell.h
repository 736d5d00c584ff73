// The gated recurrent unit's gate math for one step, forward and backward (Cho et al. 2014,
// "Learning Phrase Representations using RNN Encoder-Decoder", §2.3), in the form and gate
// order of PyTorch's nn.GRU documentation, so that its weights map one to one:
//
//   r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)              reset gate
//   z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)              update gate
//   n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))           candidate state
//   h' = (1 - z) * n + z * h
//
// The products are done by the caller, for all gates at once, in the order [r | z | n]:
//   x_gates = x W_ih^T + b_ih   [B, 3R]     h_gates = h W_hh^T   [B, 3R]   (b_hh added here)
// The reset gate multiplies only the hidden side of the candidate (W_hn h + b_hn), which is why
// the two sides arrive separately instead of summed.
//
// Backward, with g = dL/dh' and the saved r, z, n and hn = W_hn h + b_hn:
//   dn = g (1 - z),  dz = g (h - n),  dh (direct) = g z
//   da_n = dn (1 - n^2)                      a_n = x_n + r hn, the candidate's pre-activation
//   da_z = dz z (1 - z),  da_r = (da_n hn) r (1 - r)
//   d x_gates = [da_r | da_z | da_n],   d h_gates = [da_r | da_z | da_n r]
//   d b_hh = sum over rows of d h_gates
// dh here is only the direct path; the path through h_gates = h W_hh^T is the caller's product.
#pragma once

#include <cstdint>

#include "tensor/gate_math.h"
#include "tensor/tensor.h"

namespace attn {

// ---- one row: R elements, shared by the step op and the scan over a sequence ------------------
// No two arrays of a call overlap (__restrict says so): without that promise the compiler checks
// the seven pointers against each other at run time, or gives up on vectorising the loop.

// Saved per row for backward, [4R]: r, z, n and hn = W_hn h + b_hn.
constexpr int64_t kGruSavedGates = 4;

// x_gates, h_gates, bias_hh [3R]; h [R] -> h_next [R], saved [4R].
inline void gru_row_forward(const real* __restrict x_gates, const real* __restrict h_gates,
                            const real* __restrict bias_hh, const real* __restrict h, int64_t R,
                            real* __restrict h_next, real* __restrict saved) {
  for (int64_t j = 0; j < R; ++j) {
    const real r = gate_sigmoid(x_gates[j] + h_gates[j] + bias_hh[j]);
    const real z = gate_sigmoid(x_gates[R + j] + h_gates[R + j] + bias_hh[R + j]);
    const real hn = h_gates[2 * R + j] + bias_hh[2 * R + j];
    const real n = gate_tanh(x_gates[2 * R + j] + r * hn);
    h_next[j] = (1 - z) * n + z * h[j];
    saved[j] = r;
    saved[R + j] = z;
    saved[2 * R + j] = n;
    saved[3 * R + j] = hn;
  }
}

// grad_h_next, h [R]; saved [4R] -> grad_x_gates, grad_h_gates [3R]; grad_h [R] (direct path).
inline void gru_row_backward(const real* __restrict grad_h_next, const real* __restrict saved,
                             const real* __restrict h, int64_t R, real* __restrict grad_x_gates,
                             real* __restrict grad_h_gates, real* __restrict grad_h) {
  for (int64_t j = 0; j < R; ++j) {
    const real g = grad_h_next[j];
    const real r = saved[j], z = saved[R + j], n = saved[2 * R + j], hn = saved[3 * R + j];
    // in the forward pass this was h' = (1 - z) n + z h, so now:
    const real dn = g * (1 - z);
    const real dz = g * (h[j] - n);
    // n = tanh(a_n), a_n = x_n + r hn:
    const real da_n = dn * (1 - n * n);
    const real dr = da_n * hn;
    // r = sigmoid(a_r), z = sigmoid(a_z):
    const real da_r = dr * r * (1 - r);
    const real da_z = dz * z * (1 - z);
    grad_x_gates[j] = da_r;
    grad_x_gates[R + j] = da_z;
    grad_x_gates[2 * R + j] = da_n;
    grad_h_gates[j] = da_r;
    grad_h_gates[R + j] = da_z;
    grad_h_gates[2 * R + j] = da_n * r;  // hn enters a_n multiplied by r
    grad_h[j] = g * z;
  }
}

// ---- one step over a batch ----------------------------------------------------------------------

struct GruCellForward {
  Tensor h_next;  // [B, R]
  Tensor saved;   // [B, 4R] r, z, n, hn, for backward
};

struct GruCellBackward {
  Tensor grad_x_gates;  // [B, 3R]
  Tensor grad_h_gates;  // [B, 3R]
  Tensor grad_bias_hh;  // [3R]
  Tensor grad_h;        // [B, R], the direct path g z only
};

// x_gates, h_gates [B, 3R]; bias_hh [3R]; h [B, R].
GruCellForward gru_cell_forward(const Tensor& x_gates, const Tensor& h_gates,
                                const Tensor& bias_hh, const Tensor& h);
GruCellBackward gru_cell_backward(const Tensor& grad_h_next, const Tensor& saved, const Tensor& h);

}  // namespace attn
