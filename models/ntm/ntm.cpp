// The Neural Turing Machine's step loop (see ntm.h).
#include "models/ntm/ntm.h"

#include <string>

#include "autograd/ops.h"
#include "nn/recurrent/lstm_cell.h"
#include "tensor/error.h"
#include "tensor/join.h"

namespace attn {

namespace {

AddressingLayout layout_of(const NtmConfig& config) {
  AddressingLayout layout;
  layout.memory_width = config.memory_width;
  layout.max_shift = config.max_shift;
  return layout;
}

// The config, once checked: every size below is built from it.
const NtmConfig& checked(const NtmConfig& config) {
  config.check();
  return config;
}

// The weights of each step [B, N], stacked over time: [B, T, N]
Tensor over_time(const std::vector<Tensor>& steps) { return stack(steps, 1); }

}  // namespace

NeuralTuringMachine::NeuralTuringMachine(const NtmConfig& config)
    : config_(checked(config)),
      generator_(config.seed),
      write_head_(config.controller_size, layout_of(config), generator_),
      output_(config.controller_size + config.read_heads * config.memory_width,
              config.output_width, generator_) {
  const int64_t controller_input = config.input_width + config.read_heads * config.memory_width;
  if (config.controller == ControllerKind::lstm) {
    lstm_ = std::make_unique<LstmCell>(controller_input, config.controller_size, generator_);
    register_module("controller", *lstm_);
  } else {
    feedforward_ = std::make_unique<Linear>(controller_input, config.controller_size, generator_);
    register_module("controller", *feedforward_);
  }
  for (int64_t i = 0; i < config.read_heads; ++i) {
    read_heads_.push_back(
        std::make_unique<ReadHead>(config.controller_size, layout_of(config), generator_));
    register_module("read_heads." + std::to_string(i), *read_heads_.back());
  }
  register_module("write_head", write_head_);
  register_module("output", output_);
}

Variable NeuralTuringMachine::control(const Variable& x, CellState& state) const {
  if (feedforward_) return tanh(feedforward_->forward(x));   // [B, C]
  state = lstm_->step(lstm_->input_gates(x), state);          // [B, 4C] -> h, c [B, C]
  return state.h;
}

Variable NeuralTuringMachine::forward(const Variable& inputs) {
  check(inputs.ndim() == 3 && inputs.size(2) == config_.input_width, "ntm", [&] {
    return "inputs must be [B, T, " + std::to_string(config_.input_width) + "], got " +
           to_string(inputs.shape());
  });
  check(inputs.size(1) >= 1, "ntm", "a sequence needs at least one step");
  const int64_t B = inputs.size(0), T = inputs.size(1), R = config_.read_heads;
  Variable memory(Tensor::full({B, config_.memory_slots, config_.memory_width},
                               config_.memory_init));  // [B, N, M]
  std::vector<Variable> reads(R, Variable(Tensor::zeros({B, config_.memory_width})));  // [B, M]
  CellState state;
  if (lstm_) state = lstm_->zero_state(B);
  std::vector<AlignmentHistory> read_history(R);
  AlignmentHistory write_history;
  std::vector<Variable> outputs;
  std::vector<Tensor> read_weights, write_weights;
  for (int64_t t = 0; t < T; ++t) {
    const Variable x = squeeze(narrow(inputs, 1, t, 1), 1);           // [B, I]
    std::vector<Variable> controller_input = {x};
    controller_input.insert(controller_input.end(), reads.begin(), reads.end());
    const Variable h = control(concat(controller_input, -1), state);  // [B, C]
    for (int64_t i = 0; i < R; ++i) {
      const HeadOutput read = read_heads_[i]->read(h, memory, read_history[i]);  // reads M_{t-1}
      reads[i] = read.read;                                                      // [B, M]
      if (i == 0) read_weights.push_back(read.weights.value());
    }
    const HeadOutput written = write_head_.write(h, memory, write_history);
    memory = written.memory;                                          // [B, N, M]
    write_weights.push_back(written.weights.value());
    std::vector<Variable> features = {h};
    features.insert(features.end(), reads.begin(), reads.end());
    outputs.push_back(output_.forward(concat(features, -1)));         // [B, O]
  }
  trace_ = {over_time(read_weights), over_time(write_weights)};       // [B, T, N] each
  return stack(outputs, 1);                                           // [B, T, O]
}

}  // namespace attn
