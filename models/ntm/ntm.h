// The Neural Turing Machine: a controller network with a memory it reads and writes by
// attention.
//
// Graves, Wayne & Danihelka 2014, "Neural Turing Machines", §3, Figure 1. At every step t:
//
//      x_t [B, I] ──┐
//                   ├─> controller ──> h_t [B, C] ──┬──> read heads ──> r_t [B, R*M] ─┐
//   r_{t-1} [B, R*M]┘   (LSTM or                    │      (read M_{t-1})              ├─> y_t [B, O]
//                        tanh layer)                ├──> write head ──> M_t [B, N, M]  │
//                                                   └──────────────────────────────────┘
//
//   y_t = W_o [h_t; r_t] + b_o     the output bits' logits (sigmoid: their probabilities)
//
// The heads (heads.h) address the memory by content and location (addressing.h), which is
// attention with the cosine score; what one head read at step t enters the controller at t+1.
// Everything is differentiable, so the machine learns from input-output examples alone which
// algorithm to run: the copy task (§4.1) is learnt as "write each vector to the next row, then
// walk the rows from the start again and read them out".
//
// Start of a sequence: memory M_0(i, j) = memory_init (a small constant; Collier & Beel 2018),
// reads r_0 = 0, controller state 0, and every head on row 0 (NtmAddressing::start_weights).
//
// Shapes: B batch, T steps, I input width, O output width, C controller width, N memory rows,
// M row width, R read heads.
#pragma once

#include <memory>
#include <vector>

#include "models/ntm/heads.h"
#include "models/ntm/ntm_config.h"
#include "models/ntm/sequence_model.h"
#include "nn/layers/linear.h"
#include "nn/recurrent/cell.h"

namespace attn {

class NeuralTuringMachine : public SequenceModel {
 public:
  explicit NeuralTuringMachine(const NtmConfig& config);

  // inputs [B, T, I] -> logits [B, T, O]
  Variable forward(const Variable& inputs) override;
  HeadTrace trace() const override { return trace_; }
  Generator& generator() override { return generator_; }

 private:
  // x [B, I + R*M], state -> h [B, C] and the controller's next state
  Variable control(const Variable& x, CellState& state) const;

  NtmConfig config_;
  Generator generator_;
  std::unique_ptr<RecurrentCell> lstm_;  // controller = lstm
  std::unique_ptr<Linear> feedforward_;  // controller = feedforward
  std::vector<std::unique_ptr<ReadHead>> read_heads_;
  WriteHead write_head_;
  Linear output_;  // [h; r] -> y
  HeadTrace trace_;
};

}  // namespace attn
