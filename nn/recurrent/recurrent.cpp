// Recurrent: stacked, bidirectional GRU/LSTM layers over a padded batch (see recurrent.h).
//
// Per layer and direction:
//   x_gates = cell.input_gates(x)                       [B, T, G*R]  one product, all steps
//   y = recurrent_scan(x_gates, W_hh, b_hh, state_0)    [C, B, T+1, R]
//   outputs = y[0, :, :T]  [B, T, R];   final = (y[0, :, T], y[1, :, T])  [B, R] each
// and the layer's output is the directions' outputs side by side, [B, T, K*R].
#include "nn/recurrent/recurrent.h"

#include <string>

#include "autograd/ops.h"
#include "tensor/error.h"

namespace attn {

namespace {

// Cell l's input width: the data for layer 0, the previous layer's K directions after that.
int64_t layer_input_size(const RecurrentOptions& options, int64_t layer) {
  return layer == 0 ? options.input_size : (options.bidirectional ? 2 : 1) * options.hidden_size;
}

RecurrentOptions checked(const RecurrentOptions& options) {
  check(options.input_size > 0 && options.hidden_size > 0 && options.layers > 0, "Recurrent", [&] {
    return "input_size, hidden_size and layers must be positive, got " +
           std::to_string(options.input_size) + ", " + std::to_string(options.hidden_size) + ", " +
           std::to_string(options.layers);
  });
  return options;
}

// Component c of y [C, B, T+1, R] at time position `start` .. start+length-1: [B, length, R].
Variable component(const Variable& y, int64_t c, int64_t start, int64_t length) {
  return narrow(squeeze(narrow(y, 0, c, 1), 0), 1, start, length);  // [B, length, R]
}

}  // namespace

std::vector<int64_t> lengths_from_mask(const Tensor& mask, int64_t batch, int64_t steps) {
  if (!mask.defined()) return std::vector<int64_t>(batch, steps);
  const Shape expected = {batch, steps};
  check(mask.shape() == expected, "Recurrent", [&] {
    return "mask " + to_string(mask.shape()) + " must be " + to_string(expected) +
           " like the inputs";
  });
  const std::vector<real> values = mask.to_vector();
  std::vector<int64_t> lengths(batch, 0);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < steps; ++t) {
      const real m = values[b * steps + t];
      check(m == 0 || m == 1, "Recurrent", [&] {
        return "mask[" + std::to_string(b) + ", " + std::to_string(t) + "] is " +
               std::to_string(m) + "; a mask holds 1 (real step) or 0 (padding)";
      });
      check(m == 0 || lengths[b] == t, "Recurrent", [&] {
        return "mask row " + std::to_string(b) + " is not right-padded: step " + std::to_string(t) +
               " is real after a padded step";
      });
      if (m == 1) lengths[b] = t + 1;
    }
  }
  return lengths;
}

Recurrent::Recurrent(const RecurrentOptions& options, Generator& generator)
    : options_(checked(options)), dropout_(options.dropout, generator) {
  for (int64_t layer = 0; layer < options_.layers; ++layer) {
    for (int64_t direction = 0; direction < directions(); ++direction) {
      cells_.push_back(make_cell(options_.cell, layer_input_size(options_, layer),
                                 options_.hidden_size, generator));
      const RecurrentCell& cell = *cells_.back();
      // PyTorch's names: weight_ih_l0, ..., weight_ih_l0_reverse, ..., weight_ih_l1, ...
      const std::string suffix =
          "_l" + std::to_string(layer) + (direction == 1 ? "_reverse" : "");
      register_parameter("weight_ih" + suffix, cell.weight_ih);
      register_parameter("weight_hh" + suffix, cell.weight_hh);
      register_parameter("bias_ih" + suffix, cell.bias_ih);
      register_parameter("bias_hh" + suffix, cell.bias_hh);
    }
  }
  register_module("dropout", dropout_);
}

const RecurrentCell& Recurrent::cell(int64_t layer, int64_t direction) const {
  check(layer >= 0 && layer < options_.layers && direction >= 0 && direction < directions(),
        "Recurrent", [&] {
          return "no cell for layer " + std::to_string(layer) + ", direction " +
                 std::to_string(direction);
        });
  return *cells_[layer * directions() + direction];
}

Variable Recurrent::run_direction(const RecurrentCell& cell, const Variable& x,
                                  const std::vector<int64_t>& lengths, const CellState& initial,
                                  bool reverse) const {
  const Variable x_gates = cell.input_gates(x);  // [B, T, G*R], every step in one product
  const Variable state_0 = options_.cell == CellKind::gru
                               ? unsqueeze(initial.h, 0)          // [1, B, R]
                               : stack({initial.h, initial.c}, 0);  // [2, B, R]
  return recurrent_scan(options_.cell, x_gates, cell.weight_hh, cell.bias_hh, state_0, lengths,
                        reverse);  // [C, B, T+1, R]
}

RecurrentOutput Recurrent::forward(const Variable& inputs, const Tensor& mask,
                                   const std::vector<CellState>& initial) const {
  check(inputs.defined() && inputs.ndim() == 3 && inputs.size(2) == options_.input_size,
        "Recurrent", [&] {
          return "inputs " +
                 (inputs.defined() ? to_string(inputs.shape()) : std::string("(undefined)")) +
                 " must be [B, T, " + std::to_string(options_.input_size) + "]";
        });
  const int64_t B = inputs.size(0), T = inputs.size(1), K = directions();
  const std::vector<int64_t> lengths = lengths_from_mask(mask, B, T);
  const size_t cell_count = cells_.size();
  check(initial.empty() || initial.size() == cell_count, "Recurrent", [&] {
    return "initial holds " + std::to_string(initial.size()) + " states; give none or " +
           std::to_string(cell_count) + " (layers x directions)";
  });

  RecurrentOutput out;
  Variable x = inputs;  // [B, T, I], then [B, T, K*R]
  for (int64_t layer = 0; layer < options_.layers; ++layer) {
    if (layer > 0) x = dropout_.forward(x);  // between layers only, as PyTorch
    std::vector<Variable> outputs;           // one [B, T, R] per direction
    for (int64_t direction = 0; direction < K; ++direction) {
      const RecurrentCell& cell = *cells_[layer * K + direction];
      const CellState state_0 =
          initial.empty() ? cell.zero_state(B) : initial[layer * K + direction];
      const Variable y =
          run_direction(cell, x, lengths, state_0, direction == 1);  // [C, B, T+1, R]
      outputs.push_back(component(y, 0, 0, T));                      // [B, T, R]
      CellState final{squeeze(component(y, 0, T, 1), 1), Variable()};  // [B, R]
      if (options_.cell == CellKind::lstm) final.c = squeeze(component(y, 1, T, 1), 1);
      out.final.push_back(final);
    }
    x = K == 1 ? outputs[0] : concat(outputs, 2);  // [B, T, K*R]
  }
  out.outputs = x;
  return out;
}

}  // namespace attn
