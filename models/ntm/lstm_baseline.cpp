// The NTM's LSTM baseline (see lstm_baseline.h).
#include "models/ntm/lstm_baseline.h"

#include <string>

#include "tensor/error.h"

namespace attn {

namespace {

RecurrentOptions stack_of(const NtmConfig& config) {
  config.check();
  RecurrentOptions options;
  options.cell = CellKind::lstm;
  options.input_size = config.input_width;
  options.hidden_size = config.controller_size;
  options.layers = config.lstm_layers;
  return options;
}

}  // namespace

LstmBaseline::LstmBaseline(const NtmConfig& config)
    : generator_(config.seed),
      lstm_(stack_of(config), generator_),
      output_(config.controller_size, config.output_width, generator_) {
  register_module("lstm", lstm_);
  register_module("output", output_);
}

Variable LstmBaseline::forward(const Variable& inputs) {
  check(inputs.ndim() == 3 && inputs.size(2) == lstm_.options().input_size, "lstm baseline", [&] {
    return "inputs must be [B, T, " + std::to_string(lstm_.options().input_size) + "], got " +
           to_string(inputs.shape());
  });
  const Variable h = lstm_.forward(inputs).outputs;  // [B, T, C]
  return output_.forward(h);                         // [B, T, O]
}

}  // namespace attn
