// A recurrent cell over every step of a padded batch: a fused op with hand-written backward
// through time (tensor/recurrent_scan.h has the loop and its equations).
//
//   y = scan(x_gates, W_hh, b_hh, state_0)     y [C, B, T+1, R]: the state at each real step
//                                              (0 at padded steps), then each row's final state
// Backward through time, from g = dL/dy:
//   d x_gates[b, t] = the cell's gate gradients at the step that read position t (0 if padded)
//   d W_hh = sum_s d h_gates_s^T h_s,  d b_hh = sum_s sum_b d h_gates_s,  d state_0 = what
//   reaches step 0
// Why one op for the whole loop: a loop of per-step ops would slice x_gates once per step, and
// each slice's backward returns a gradient the size of all of x_gates (T times T work); and d W_hh
// would be T small products added up, not one large one. The tests compare it with the loop of
// per-step cells (nn/recurrent/) and with finite differences.
#include "autograd/ops.h"

namespace attn {

Variable recurrent_scan(CellKind kind, const Variable& x_gates, const Variable& weight_hh,
                        const Variable& bias_hh, const Variable& initial,
                        const std::vector<int64_t>& lengths, bool reverse) {
  const RecurrentScanForward forward = recurrent_scan_forward(
      kind, x_gates.value(), weight_hh.value(), bias_hh.value(), initial.value(), lengths, reverse);
  // saved: every step's state [C, S+1, B, R] and gate values [S, B, 4R or 5R], W_hh, the lengths
  return Variable::make_result(
      forward.y, "recurrent_scan", {x_gates, weight_hh, bias_hh, initial},
      [kind, states = forward.states, gates = forward.gates, weight_hh = weight_hh.value(),
       lengths, reverse](const Tensor& g) {
        RecurrentScanBackward grads =
            recurrent_scan_backward(kind, g, states, gates, weight_hh, lengths, reverse);
        return std::vector<Tensor>{grads.grad_x_gates, grads.grad_weight_hh, grads.grad_bias_hh,
                                   grads.grad_initial};
      });
}

}  // namespace attn
