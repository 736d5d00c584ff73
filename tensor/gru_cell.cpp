// One GRU step over a batch, forward and backward (see gru_cell.h for the equations).
//
// Each row of the batch is independent, so rows run over the thread pool; within a row the gate
// loop (gru_row_forward / gru_row_backward) is branch-free and vectorises. The bias gradient sums
// over rows instead, so it is a column sum of d h_gates (tensor/reduce.h).
#include "tensor/gru_cell.h"

#include <algorithm>
#include <string>

#include "tensor/error.h"
#include "tensor/recurrent_kernel_util.h"
#include "tensor/reduce.h"
#include "tensor/thread_pool.h"

namespace attn {

// ---- forward ----------------------------------------------------------------------------------

GruCellForward gru_cell_forward(const Tensor& x_gates_in, const Tensor& h_gates_in,
                                const Tensor& bias_hh_in, const Tensor& h_in) {
  const std::string op = "gru_cell";
  check(h_in.defined() && h_in.ndim() == 2, op, [&] {
    return "h must be [B, R], got " + (h_in.defined() ? to_string(h_in.shape()) : "(undefined)");
  });
  const int64_t B = h_in.size(0), R = h_in.size(1);
  check_operand_shape(op, "x_gates", x_gates_in, {B, 3 * R});
  check_operand_shape(op, "h_gates", h_gates_in, {B, 3 * R});
  check_operand_shape(op, "bias_hh", bias_hh_in, {3 * R});

  const Tensor x_gates = x_gates_in.contiguous(), h_gates = h_gates_in.contiguous();
  const Tensor bias_hh = bias_hh_in.contiguous(), h = h_in.contiguous();
  GruCellForward out{Tensor::empty({B, R}), Tensor::empty({B, kGruSavedGates * R})};
  const real* xg = x_gates.data();
  const real* hg = h_gates.data();
  const real* hs = h.data();
  real* next = out.h_next.data();
  real* saved = out.saved.data();
  parallel_for(B, rows_per_chunk(R), [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      gru_row_forward(xg + b * 3 * R, hg + b * 3 * R, bias_hh.data(), hs + b * R, R,
                      next + b * R, saved + b * kGruSavedGates * R);
  });
  return out;
}

// ---- backward ---------------------------------------------------------------------------------

GruCellBackward gru_cell_backward(const Tensor& grad_h_next_in, const Tensor& saved_in,
                                  const Tensor& h_in) {
  const std::string op = "gru_cell_backward";
  check(h_in.defined() && h_in.ndim() == 2, op, [&] {
    return "h must be [B, R], got " + (h_in.defined() ? to_string(h_in.shape()) : "(undefined)");
  });
  const int64_t B = h_in.size(0), R = h_in.size(1);
  check_operand_shape(op, "grad_h_next", grad_h_next_in, {B, R});
  check_operand_shape(op, "saved", saved_in, {B, kGruSavedGates * R});

  const Tensor grad_h_next = grad_h_next_in.contiguous(), saved = saved_in.contiguous();
  const Tensor h = h_in.contiguous();
  GruCellBackward out{Tensor::empty({B, 3 * R}), Tensor::empty({B, 3 * R}), Tensor(),
                      Tensor::empty({B, R})};
  const real* g = grad_h_next.data();
  const real* s = saved.data();
  const real* hs = h.data();
  real* dx = out.grad_x_gates.data();
  real* dhg = out.grad_h_gates.data();
  real* dh = out.grad_h.data();
  parallel_for(B, rows_per_chunk(R), [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      gru_row_backward(g + b * R, s + b * kGruSavedGates * R, hs + b * R, R, dx + b * 3 * R,
                       dhg + b * 3 * R, dh + b * R);
  });
  // b_hh is added to every row's h_gates, so its gradient is the sum over rows.
  out.grad_bias_hh = sum(out.grad_h_gates, 0);  // [3R]
  return out;
}

}  // namespace attn
