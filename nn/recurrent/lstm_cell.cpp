// LstmCell: c' = f c + i g, h' = o tanh(c'), one product for the hidden side of all four gates,
// then the fused gate math (autograd/lstm_cell.cpp; equations in lstm_cell.h). The fused op
// returns h' and c' stacked as [2, B, R]; each is a view of its half.
#include "nn/recurrent/lstm_cell.h"

#include "autograd/ops.h"

namespace attn {

LstmCell::LstmCell(int64_t input_size, int64_t hidden_size, Generator& generator)
    : RecurrentCell(CellKind::lstm, input_size, hidden_size, generator) {}

CellState LstmCell::step(const Variable& x_gates, const CellState& state) const {
  check_step(x_gates, state);
  const Variable h_gates = hidden_gates(state.h);                          // [B, 4R]
  const Variable next = lstm_cell(x_gates, h_gates, bias_hh, state.c);     // [2, B, R]
  return {squeeze(narrow(next, 0, 0, 1), 0), squeeze(narrow(next, 0, 1, 1), 0)};  // [B, R] each
}

}  // namespace attn
