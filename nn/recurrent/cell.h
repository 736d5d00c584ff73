// RecurrentCell: one step of a gated recurrent network, the base of GruCell and LstmCell.
//
//   state_{t+1} = cell(x_t, state_t)        x_t [B, I], state: h [B, R] (and c [B, R] for LSTM)
//
// Every cell computes its gates the same way, G gates of width R at once, in two products:
//   x_gates = x W_ih^T + b_ih     [..., G*R]   input_gates(): for all steps at once, before a loop
//   h_gates = h W_hh^T            [B, G*R]     inside step(): one product per step
// then the gate math of step() (a fused op, autograd/ops.h) adds b_hh and makes the next state.
// The weights are PyTorch's, shape for shape and gate for gate (weight_ih_l0 of nn.GRU or
// nn.LSTM is weight_ih here), and so is the initialisation: every weight and bias ~ U(-k, k),
// k = 1/sqrt(R).
//
// Shapes: B batch, I input width, R state width (hidden_size), G gates (GRU 3, LSTM 4).
#pragma once

#include <cstdint>
#include <memory>

#include "nn/module.h"
#include "tensor/random.h"
#include "tensor/recurrent_scan.h"

namespace attn {

// The state one cell carries between steps. h [B, R]; c [B, R] for LSTM, undefined for GRU.
struct CellState {
  Variable h;
  Variable c;
};

class RecurrentCell : public Module {
 public:
  // Registers weight_ih, weight_hh, bias_ih, bias_hh (nn.GRUCell's names), drawn from generator.
  RecurrentCell(CellKind kind, int64_t input_size, int64_t hidden_size, Generator& generator);

  CellKind kind() const { return kind_; }
  int64_t gates() const { return gate_count(kind_); }  // G
  int64_t input_size() const { return input_size_; }   // I
  int64_t hidden_size() const { return hidden_size_; } // R

  // x [..., I] -> x W_ih^T + b_ih [..., G*R]: the input side of every gate, for any number of
  // leading axes, so a caller can do it for all steps at once before the loop.
  Variable input_gates(const Variable& x) const;
  // x_gates [B, G*R] (from input_gates, possibly with more terms added by the caller), state ->
  // the next state: one product h W_hh^T for all gates, then the gate math (a fused op).
  virtual CellState step(const Variable& x_gates, const CellState& state) const = 0;
  // zeros [B, R] for h (and c for LSTM).
  CellState zero_state(int64_t batch) const;

  // Public so that a model can use slices of them (a decoder whose input is [emb; context]
  // computes the emb part for all steps at once: narrow(weight_ih, 1, 0, E)).
  Variable weight_ih;  // [G*R, I]  gate order GRU r, z, n; LSTM i, f, g, o
  Variable weight_hh;  // [G*R, R]
  Variable bias_ih;    // [G*R]
  Variable bias_hh;    // [G*R]

 protected:
  // Throws unless x_gates is [B, G*R] and the state's tensors are [B, R]; returns B.
  int64_t check_step(const Variable& x_gates, const CellState& state) const;
  // h W_hh^T: [B, R] @ [R, G*R] -> [B, G*R]
  Variable hidden_gates(const Variable& h) const;

 private:
  CellKind kind_;
  int64_t input_size_, hidden_size_;
};

std::unique_ptr<RecurrentCell> make_cell(CellKind kind, int64_t input_size, int64_t hidden_size,
                                         Generator& generator);

// "gru" or "lstm", for messages.
const char* to_string(CellKind kind);

}  // namespace attn
