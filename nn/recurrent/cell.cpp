// RecurrentCell: the products and parameters every gated cell shares (see cell.h).
//
// Initialisation as torch.nn.GRU / nn.LSTM: every weight and bias ~ U(-k, k), k = 1/sqrt(R),
// drawn in PyTorch's order weight_ih, weight_hh, bias_ih, bias_hh.
#include "nn/recurrent/cell.h"

#include <cmath>
#include <string>

#include "autograd/ops.h"
#include "nn/recurrent/gru_cell.h"
#include "nn/recurrent/lstm_cell.h"
#include "tensor/error.h"

namespace attn {

RecurrentCell::RecurrentCell(CellKind kind, int64_t input_size, int64_t hidden_size,
                             Generator& generator)
    : kind_(kind), input_size_(input_size), hidden_size_(hidden_size) {
  check(input_size > 0 && hidden_size > 0, std::string(to_string(kind)) + " cell", [&] {
    return "input_size and hidden_size must be positive, got " + std::to_string(input_size) +
           " and " + std::to_string(hidden_size);
  });
  const int64_t GR = gates() * hidden_size;
  const real k = real(1 / std::sqrt(double(hidden_size)));
  weight_ih = register_parameter("weight_ih", uniform({GR, input_size}, -k, k, generator));
  weight_hh = register_parameter("weight_hh", uniform({GR, hidden_size}, -k, k, generator));
  bias_ih = register_parameter("bias_ih", uniform({GR}, -k, k, generator));
  bias_hh = register_parameter("bias_hh", uniform({GR}, -k, k, generator));
}

Variable RecurrentCell::input_gates(const Variable& x) const {
  check(x.defined() && x.ndim() >= 1 && x.size(-1) == input_size_,
        std::string(to_string(kind_)) + " cell", [&] {
          return "input " + (x.defined() ? to_string(x.shape()) : std::string("(undefined)")) +
                 " must end in input_size " + std::to_string(input_size_);
        });
  return matmul(x, transpose(weight_ih, 0, 1)) + bias_ih;  // [..., I] @ [I, G*R] -> [..., G*R]
}

Variable RecurrentCell::hidden_gates(const Variable& h) const {
  return matmul(h, transpose(weight_hh, 0, 1));  // [B, R] @ [R, G*R] -> [B, G*R]
}

CellState RecurrentCell::zero_state(int64_t batch) const {
  CellState state{Variable(Tensor::zeros({batch, hidden_size_})), Variable()};  // [B, R]
  if (kind_ == CellKind::lstm) state.c = Variable(Tensor::zeros({batch, hidden_size_}));
  return state;
}

int64_t RecurrentCell::check_step(const Variable& x_gates, const CellState& state) const {
  const std::string op = std::string(to_string(kind_)) + " cell step";
  const auto shape_of = [](const Variable& v) {
    return v.defined() ? to_string(v.shape()) : std::string("(undefined)");
  };
  check(state.h.defined() && state.h.ndim() == 2 && state.h.size(1) == hidden_size_, op, [&] {
    return "h " + shape_of(state.h) + " must be [B, " + std::to_string(hidden_size_) + "]";
  });
  const int64_t B = state.h.size(0);
  const Shape gates_shape = {B, gates() * hidden_size_};
  check(x_gates.defined() && x_gates.shape() == gates_shape, op, [&] {
    return "x_gates " + shape_of(x_gates) + " must be " + to_string(gates_shape) + " for h " +
           shape_of(state.h);
  });
  const bool needs_c = kind_ == CellKind::lstm;
  check(needs_c ? state.c.defined() && state.c.shape() == state.h.shape() : !state.c.defined(), op,
        [&] {
          return needs_c ? "c " + shape_of(state.c) + " must be " + shape_of(state.h) + " like h"
                         : std::string("a GRU state has no c");
        });
  return B;
}

std::unique_ptr<RecurrentCell> make_cell(CellKind kind, int64_t input_size, int64_t hidden_size,
                                         Generator& generator) {
  if (kind == CellKind::gru) return std::make_unique<GruCell>(input_size, hidden_size, generator);
  return std::make_unique<LstmCell>(input_size, hidden_size, generator);
}

const char* to_string(CellKind kind) { return kind == CellKind::gru ? "gru" : "lstm"; }

}  // namespace attn
