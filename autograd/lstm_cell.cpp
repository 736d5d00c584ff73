// The LSTM's gate math of one step: a fused op with hand-written backward.
//
// Hochreiter & Schmidhuber 1997 with a forget gate, in the form and gate order [i | f | g | o]
// of PyTorch's nn.LSTM, each gate a = x_gates + h_gates + b_hh:
//   i, f, o = sigmoid(a_i, a_f, a_o),  g = tanh(a_g)
//   c' = f c + i g,  h' = o tanh(c')
// The op has two results; attn's nodes have one, so it returns them stacked, [2, B, R] =
// (h', c'), and the caller views each (narrow along dim 0). Their two gradients arrive together.
// Backward (tensor/lstm_cell.h), with (gh, gc) the gradient of (h', c'):
//   dc' = gc + gh o (1 - tanh(c')^2),  d gates = [dc' g i(1-i) | dc' c f(1-f) | dc' i (1-g^2) |
//   gh tanh(c') o(1-o)];  d x_gates = d h_gates = d gates,  d b_hh = sum over rows,  dc = dc' f
// The tests compare it with the same equations written in Variable ops.
#include "autograd/ops.h"

#include "tensor/lstm_cell.h"

namespace attn {

Variable lstm_cell(const Variable& x_gates, const Variable& h_gates, const Variable& bias_hh,
                   const Variable& c) {
  const LstmCellForward forward =
      lstm_cell_forward(x_gates.value(), h_gates.value(), bias_hh.value(), c.value());
  // saved: i, f, g, o, tanh(c') [B, 5R] and the cell c [B, R]
  return Variable::make_result(
      forward.state, "lstm_cell", {x_gates, h_gates, bias_hh, c},
      [saved = forward.saved, c = c.value()](const Tensor& g) {
        LstmCellBackward grads = lstm_cell_backward(g, saved, c);
        return std::vector<Tensor>{grads.grad_gates, grads.grad_gates, grads.grad_bias_hh,
                                   grads.grad_c};
      });
}

}  // namespace attn
