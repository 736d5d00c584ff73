// GruCell: h' = (1 - z) n + z h, one product for the hidden side of all three gates, then the
// fused gate math (autograd/gru_cell.cpp; equations in gru_cell.h).
#include "nn/recurrent/gru_cell.h"

#include "autograd/ops.h"

namespace attn {

GruCell::GruCell(int64_t input_size, int64_t hidden_size, Generator& generator)
    : RecurrentCell(CellKind::gru, input_size, hidden_size, generator) {}

CellState GruCell::step(const Variable& x_gates, const CellState& state) const {
  check_step(x_gates, state);
  const Variable h_gates = hidden_gates(state.h);  // [B, 3R]
  return {gru_cell(x_gates, h_gates, bias_hh, state.h), Variable()};  // h' [B, R]
}

}  // namespace attn
