// A stack of recurrent cells stepped together (see cell_stack.h).
#include "nn/recurrent/cell_stack.h"

#include <string>

#include "tensor/error.h"

namespace attn {

CellStack::CellStack(CellKind kind, int64_t input_size, int64_t hidden_size, int64_t layers,
                     real dropout, Generator& generator)
    : dropout_(dropout, generator) {
  check(layers >= 1, "CellStack",
        [&] { return "needs at least one layer, got " + std::to_string(layers); });
  for (int64_t l = 0; l < layers; ++l) {
    cells_.push_back(make_cell(kind, l == 0 ? input_size : hidden_size, hidden_size, generator));
    const std::string suffix = "_l" + std::to_string(l);
    const RecurrentCell& cell = *cells_.back();
    register_parameter("weight_ih" + suffix, cell.weight_ih);
    register_parameter("weight_hh" + suffix, cell.weight_hh);
    register_parameter("bias_ih" + suffix, cell.bias_ih);
    register_parameter("bias_hh" + suffix, cell.bias_hh);
  }
  register_module("dropout", dropout_);
}

std::vector<CellState> CellStack::step(const Variable& x_gates,
                                       const std::vector<CellState>& states) const {
  check(states.size() == cells_.size(), "CellStack::step", [&] {
    return "got " + std::to_string(states.size()) + " states for " + std::to_string(cells_.size()) +
           " layers";
  });
  std::vector<CellState> next;
  next.reserve(cells_.size());
  for (size_t l = 0; l < cells_.size(); ++l) {
    const Variable gates =
        l == 0 ? x_gates : cells_[l]->input_gates(dropout_.forward(next.back().h));  // [N, G R]
    next.push_back(cells_[l]->step(gates, states[l]));
  }
  return next;
}

std::vector<CellState> CellStack::zero_states(int64_t N) const {
  std::vector<CellState> states;
  for (const auto& cell : cells_) states.push_back(cell->zero_state(N));
  return states;
}

}  // namespace attn
