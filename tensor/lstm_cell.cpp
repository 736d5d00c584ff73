// One LSTM step over a batch, forward and backward (see lstm_cell.h for the equations).
//
// Each row of the batch is independent, so rows run over the thread pool; within a row the gate
// loop (lstm_row_forward / lstm_row_backward) is branch-free and vectorises. The bias gradient
// sums over rows instead, so it is a column sum of d gates (tensor/reduce.h).
#include "tensor/lstm_cell.h"

#include <algorithm>
#include <string>

#include "tensor/error.h"
#include "tensor/recurrent_kernel_util.h"
#include "tensor/reduce.h"
#include "tensor/thread_pool.h"

namespace attn {

// ---- forward ----------------------------------------------------------------------------------

LstmCellForward lstm_cell_forward(const Tensor& x_gates_in, const Tensor& h_gates_in,
                                  const Tensor& bias_hh_in, const Tensor& c_in) {
  const std::string op = "lstm_cell";
  check(c_in.defined() && c_in.ndim() == 2, op, [&] {
    return "c must be [B, R], got " + (c_in.defined() ? to_string(c_in.shape()) : "(undefined)");
  });
  const int64_t B = c_in.size(0), R = c_in.size(1);
  check_operand_shape(op, "x_gates", x_gates_in, {B, 4 * R});
  check_operand_shape(op, "h_gates", h_gates_in, {B, 4 * R});
  check_operand_shape(op, "bias_hh", bias_hh_in, {4 * R});

  const Tensor x_gates = x_gates_in.contiguous(), h_gates = h_gates_in.contiguous();
  const Tensor bias_hh = bias_hh_in.contiguous(), c = c_in.contiguous();
  LstmCellForward out{Tensor::empty({2, B, R}), Tensor::empty({B, kLstmSavedGates * R})};
  const real* xg = x_gates.data();
  const real* hg = h_gates.data();
  const real* cs = c.data();
  real* h_next = out.state.data();          // (h', c') stacked: h' first,
  real* c_next = out.state.data() + B * R;  // then c'
  real* saved = out.saved.data();
  parallel_for(B, rows_per_chunk(R), [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      lstm_row_forward(xg + b * 4 * R, hg + b * 4 * R, bias_hh.data(), cs + b * R, R,
                       h_next + b * R, c_next + b * R, saved + b * kLstmSavedGates * R);
  });
  return out;
}

// ---- backward ---------------------------------------------------------------------------------

LstmCellBackward lstm_cell_backward(const Tensor& grad_state_in, const Tensor& saved_in,
                                    const Tensor& c_in) {
  const std::string op = "lstm_cell_backward";
  check(c_in.defined() && c_in.ndim() == 2, op, [&] {
    return "c must be [B, R], got " + (c_in.defined() ? to_string(c_in.shape()) : "(undefined)");
  });
  const int64_t B = c_in.size(0), R = c_in.size(1);
  check_operand_shape(op, "grad_state", grad_state_in, {2, B, R});
  check_operand_shape(op, "saved", saved_in, {B, kLstmSavedGates * R});

  const Tensor grad_state = grad_state_in.contiguous(), saved = saved_in.contiguous();
  const Tensor c = c_in.contiguous();
  LstmCellBackward out{Tensor::empty({B, 4 * R}), Tensor(), Tensor::empty({B, R})};
  const real* gh = grad_state.data();          // dL/dh'
  const real* gc = grad_state.data() + B * R;  // dL/dc'
  const real* s = saved.data();
  const real* cs = c.data();
  real* dgates = out.grad_gates.data();
  real* dc = out.grad_c.data();
  parallel_for(B, rows_per_chunk(R), [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      lstm_row_backward(gh + b * R, gc + b * R, s + b * kLstmSavedGates * R, cs + b * R, R,
                        dgates + b * 4 * R, dc + b * R);
  });
  // b_hh is added to every row's gates, so its gradient is the sum over rows.
  out.grad_bias_hh = sum(out.grad_gates, 0);  // [4R]
  return out;
}

}  // namespace attn
