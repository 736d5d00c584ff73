// The time loop of a recurrent layer, forward and backward (see recurrent_scan.h).
//
// What makes it fast:
//   - one GEMM per step for the hidden side of every gate of every row (matmul_into, no
//     allocation), and in backward one per step for d h, plus one GEMM over all steps for d W_hh
//     instead of one per step added into an accumulator;
//   - the gate math of a row is one branch-free loop (gru_cell.h, lstm_cell.h) that vectorises,
//     rows spread over the thread pool;
//   - every buffer is allocated once, before the loop; the state lives in `states` itself.
// The loop runs S = max length steps, not T: steps where every row is padding do nothing.
#include "tensor/recurrent_scan.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "tensor/error.h"
#include "tensor/gru_cell.h"
#include "tensor/lstm_cell.h"
#include "tensor/matmul.h"
#include "tensor/recurrent_kernel_util.h"
#include "tensor/reduce.h"
#include "tensor/thread_pool.h"

namespace attn {

int64_t gate_count(CellKind kind) { return kind == CellKind::gru ? 3 : 4; }
int64_t state_count(CellKind kind) { return kind == CellKind::gru ? 1 : 2; }

namespace {

int64_t saved_count(CellKind kind) {
  return kind == CellKind::gru ? kGruSavedGates : kLstmSavedGates;
}

// The sizes every part of the scan agrees on, read off the operands and checked once.
struct ScanShape {
  CellKind kind;
  int64_t B, T, R, G, C, W;  // W: saved gate values per element of a row (4 or 5)
  int64_t S;                 // steps to run: the longest length
  bool reverse;
  const std::vector<int64_t>* lengths;

  bool real_step(int64_t b, int64_t s) const { return s < (*lengths)[b]; }
  // The time position row b reads and writes at step s.
  int64_t time(int64_t b, int64_t s) const { return reverse ? (*lengths)[b] - 1 - s : s; }
};

// Checks weight_hh and the lengths of a batch of B rows of T steps; S is the longest length.
ScanShape scan_shape(const std::string& op, CellKind kind, int64_t B, int64_t T,
                     const Tensor& weight_hh, const std::vector<int64_t>& lengths, bool reverse) {
  check(weight_hh.defined() && weight_hh.ndim() == 2 &&
            weight_hh.size(0) == gate_count(kind) * weight_hh.size(1),
        op, [&] {
          return "weight_hh must be [G*R, R] with G = " + std::to_string(gate_count(kind)) +
                 ", got " + (weight_hh.defined() ? to_string(weight_hh.shape()) : "(undefined)");
        });
  ScanShape s{kind, B, T, weight_hh.size(1), gate_count(kind), state_count(kind),
              saved_count(kind), 0, reverse, &lengths};
  check(static_cast<int64_t>(lengths.size()) == B, op, [&] {
    return std::to_string(lengths.size()) + " lengths for a batch of " + std::to_string(B);
  });
  for (size_t b = 0; b < lengths.size(); ++b) {
    check(lengths[b] >= 0 && lengths[b] <= T, op, [&] {
      return "length " + std::to_string(lengths[b]) + " of row " + std::to_string(b) +
             " is outside 0.." + std::to_string(T);
    });
    s.S = std::max(s.S, lengths[b]);
  }
  return s;
}

void copy_row(const real* from, real* to, int64_t R) { std::memcpy(to, from, R * sizeof(real)); }

}  // namespace

// ---- forward ----------------------------------------------------------------------------------

RecurrentScanForward recurrent_scan_forward(CellKind kind, const Tensor& x_gates_in,
                                            const Tensor& weight_hh, const Tensor& bias_hh_in,
                                            const Tensor& initial,
                                            const std::vector<int64_t>& lengths, bool reverse) {
  const std::string op = "recurrent_scan";
  check(x_gates_in.defined() && x_gates_in.ndim() == 3, op, [&] {
    return "x_gates must be [B, T, G*R], got " +
           (x_gates_in.defined() ? to_string(x_gates_in.shape()) : "(undefined)");
  });
  const ScanShape s =
      scan_shape(op, kind, x_gates_in.size(0), x_gates_in.size(1), weight_hh, lengths, reverse);
  const int64_t B = s.B, T = s.T, R = s.R, GR = s.G * s.R, C = s.C, W = s.W, S = s.S;
  check_operand_shape(op, "x_gates", x_gates_in, {B, T, GR});
  check_operand_shape(op, "bias_hh", bias_hh_in, {GR});
  check_operand_shape(op, "initial state", initial, {C, B, R});

  const Tensor x_gates = x_gates_in.contiguous(), bias_hh = bias_hh_in.contiguous();
  RecurrentScanForward out{Tensor::zeros({C, B, T + 1, R}), Tensor::empty({C, S + 1, B, R}),
                           Tensor::empty({S, B, W * R})};
  out.states.narrow(1, 0, 1).copy_from(initial.unsqueeze(1));  // [C, 1, B, R]: state_0
  Tensor h_gates = Tensor::empty({B, GR});  // the hidden side of one step, reused every step
  const Tensor weight_hh_t = weight_hh.transpose(0, 1);  // [R, GR], read through its strides

  const real* xg = x_gates.data();
  const real* hg = h_gates.data();
  const real* bias = bias_hh.data();
  real* y = out.y.data();
  real* states = out.states.data();
  real* gates = out.gates.data();
  // Element offsets of one state tensor's step s, and of y's component c.
  const int64_t state_step = B * R, state_part = (S + 1) * B * R, y_part = B * (T + 1) * R;

  for (int64_t step = 0; step < S; ++step) {
    const Tensor h = out.states.narrow(0, 0, 1).squeeze(0).narrow(0, step, 1).squeeze(0);  // [B, R]
    matmul_into(h, weight_hh_t, h_gates);  // [B, R] @ [R, GR] -> [B, GR]
    parallel_for(B, rows_per_chunk(R), [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        real* h_b = states + step * state_step + b * R;  // this step's state of row b
        real* h_next = h_b + state_step;                 // the next step's
        if (!s.real_step(b, step)) {  // padding: carry the state over
          for (int64_t c = 0; c < C; ++c)
            copy_row(h_b + c * state_part, h_next + c * state_part, R);
          continue;
        }
        const int64_t t = s.time(b, step);
        const real* x_row = xg + (b * T + t) * GR;
        real* saved = gates + (step * B + b) * W * R;
        if (kind == CellKind::gru)
          gru_row_forward(x_row, hg + b * GR, bias, h_b, R, h_next, saved);
        else
          lstm_row_forward(x_row, hg + b * GR, bias, h_b + state_part, R, h_next,
                           h_next + state_part, saved);
        for (int64_t c = 0; c < C; ++c)
          copy_row(h_next + c * state_part, y + c * y_part + (b * (T + 1) + t) * R, R);
      }
    });
  }
  // Each row's final state, after its last real step (padded steps carried it to step S).
  for (int64_t c = 0; c < C; ++c)
    for (int64_t b = 0; b < B; ++b)
      copy_row(states + c * state_part + S * state_step + b * R,
               y + c * y_part + (b * (T + 1) + T) * R, R);
  return out;
}

// ---- backward ---------------------------------------------------------------------------------

RecurrentScanBackward recurrent_scan_backward(CellKind kind, const Tensor& grad_y_in,
                                              const Tensor& states_in, const Tensor& gates_in,
                                              const Tensor& weight_hh,
                                              const std::vector<int64_t>& lengths, bool reverse) {
  const std::string op = "recurrent_scan_backward";
  check(grad_y_in.defined() && grad_y_in.ndim() == 4 && grad_y_in.size(2) >= 1, op, [&] {
    return "grad_y must be [C, B, T+1, R], got " +
           (grad_y_in.defined() ? to_string(grad_y_in.shape()) : "(undefined)");
  });
  const ScanShape s = scan_shape(op, kind, grad_y_in.size(1), grad_y_in.size(2) - 1, weight_hh,
                                 lengths, reverse);
  const int64_t B = s.B, T = s.T, R = s.R, GR = s.G * s.R, C = s.C, W = s.W, S = s.S;
  check_operand_shape(op, "grad_y", grad_y_in, {C, B, T + 1, R});
  check_operand_shape(op, "states", states_in, {C, S + 1, B, R});
  check_operand_shape(op, "gates", gates_in, {S, B, W * R});

  const Tensor grad_y = grad_y_in.contiguous(), states = states_in.contiguous();
  const Tensor gates = gates_in.contiguous();
  RecurrentScanBackward out{Tensor::zeros({B, T, GR}), Tensor(), Tensor(), Tensor()};
  Tensor grad_h_gates = Tensor::empty({S, B, GR});  // d h_gates of every step, for d W_hh
  // d state after the step being undone, and before it: two buffers that swap every step.
  // The gradient of each row's final state arrives at y's position T.
  Tensor grad_state = grad_y.narrow(2, T, 1).reshape({C, B, R}).clone();
  Tensor grad_previous = Tensor::empty({C, B, R});

  const real* gy = grad_y.data();
  const real* st = states.data();
  const real* saved_gates = gates.data();
  real* dxg = out.grad_x_gates.data();
  real* dhg = grad_h_gates.data();
  const int64_t state_step = B * R, state_part = (S + 1) * B * R, y_part = B * (T + 1) * R;

  for (int64_t step = S - 1; step >= 0; --step) {
    real* d_next = grad_state.data();     // dL/d state_{step+1}: [C, B, R]
    real* d_prev = grad_previous.data();  // dL/d state_step, built here
    parallel_for(B, rows_per_chunk(R), [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        real* dh = d_next + b * R;  // dL/dh_{step+1} of row b (and dL/dc at + B R)
        real* dhg_row = dhg + (step * B + b) * GR;
        if (!s.real_step(b, step)) {  // padding carried the state: so does its gradient
          for (int64_t c = 0; c < C; ++c) copy_row(dh + c * B * R, d_prev + c * B * R + b * R, R);
          std::fill(dhg_row, dhg_row + GR, real(0));
          continue;
        }
        const int64_t t = s.time(b, step);
        for (int64_t c = 0; c < C; ++c) {  // the state was also output y[c, b, t]
          const real* gy_row = gy + c * y_part + (b * (T + 1) + t) * R;
          for (int64_t j = 0; j < R; ++j) dh[c * B * R + j] += gy_row[j];
        }
        const real* saved = saved_gates + (step * B + b) * W * R;
        const real* state_b = st + step * state_step + b * R;  // state_step of row b
        real* dxg_row = dxg + (b * T + t) * GR;
        if (kind == CellKind::gru) {
          gru_row_backward(dh, saved, state_b, R, dxg_row, dhg_row, d_prev + b * R);
        } else {
          lstm_row_backward(dh, dh + B * R, saved, state_b + state_part, R, dhg_row,
                            d_prev + B * R + b * R);
          copy_row(dhg_row, dxg_row, GR);                    // d x_gates = d h_gates
          std::fill(d_prev + b * R, d_prev + b * R + R, real(0));  // h reaches h_gates only
        }
      }
    });
    // h_gates = h_step W_hh^T, so d h_step += d h_gates W_hh:  [B, GR] @ [GR, R] -> [B, R]
    matmul_into(grad_h_gates.narrow(0, step, 1).squeeze(0), weight_hh,
                grad_previous.narrow(0, 0, 1).squeeze(0), /*accumulate=*/true);
    std::swap(grad_state, grad_previous);
  }
  out.grad_initial = grad_state;  // [C, B, R]

  // Every step used the same W_hh and b_hh: their gradients sum over steps and rows, one
  // product for all:  d W_hh = d h_gates^T [GR, S*B] @ h [S*B, R]
  const Tensor all_grad_h_gates = grad_h_gates.view({S * B, GR});
  const Tensor all_h = states.narrow(0, 0, 1).squeeze(0).narrow(0, 0, S).view({S * B, R});
  out.grad_weight_hh = Tensor::empty({GR, R});
  matmul_into(all_grad_h_gates.transpose(0, 1), all_h, out.grad_weight_hh);
  out.grad_bias_hh = sum(all_grad_h_gates, 0);  // [GR]
  return out;
}

}  // namespace attn
