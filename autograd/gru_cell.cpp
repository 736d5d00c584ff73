// The GRU's gate math of one step: a fused op with hand-written backward.
//
// Cho et al. 2014, §2.3, in the form and gate order [r | z | n] of PyTorch's nn.GRU:
//   r = sigmoid(x_r + h_r + b_hr),  z = sigmoid(x_z + h_z + b_hz)
//   n = tanh(x_n + r (h_n + b_hn)),  h' = (1 - z) n + z h
// where x_gates = x W_ih^T + b_ih and h_gates = h W_hh^T come from the caller's products.
// Backward (tensor/gru_cell.h), with hn = h_n + b_hn:
//   d x_gates = [da_r | da_z | da_n],  d h_gates = [da_r | da_z | da_n r],
//   d b_hh = sum over rows of d h_gates,  dh = g z (the direct path; h_gates carries the rest)
// The tests compare it with the same equations written in Variable ops.
#include "autograd/ops.h"

#include "tensor/gru_cell.h"

namespace attn {

Variable gru_cell(const Variable& x_gates, const Variable& h_gates, const Variable& bias_hh,
                  const Variable& h) {
  const GruCellForward forward =
      gru_cell_forward(x_gates.value(), h_gates.value(), bias_hh.value(), h.value());
  // saved: r, z, n, hn [B, 4R] and the state h [B, R]
  return Variable::make_result(
      forward.h_next, "gru_cell", {x_gates, h_gates, bias_hh, h},
      [saved = forward.saved, h = h.value()](const Tensor& g) {
        GruCellBackward grads = gru_cell_backward(g, saved, h);
        return std::vector<Tensor>{grads.grad_x_gates, grads.grad_h_gates, grads.grad_bias_hh,
                                   grads.grad_h};
      });
}

}  // namespace attn
