// The pyramidal listener (see listener.h): Chan et al. 2016, §3.1.
#include "models/las/listener.h"

#include <string>

#include "autograd/ops.h"
#include "tensor/error.h"

namespace attn {

namespace {

const ListenerOptions& checked(const ListenerOptions& options) {
  check(
      options.features >= 1 && options.hidden >= 1 && options.pyramid >= 0 && options.pyramid <= 8,
      "Listener", [&] {
        return "needs features >= 1, hidden >= 1 and 0..8 pyramid layers, got " +
               std::to_string(options.features) + ", " + std::to_string(options.hidden) + " and " +
               std::to_string(options.pyramid);
      });
  return options;
}

// One bidirectional LSTM layer from width `input` to 2 * hidden.
RecurrentOptions layer_options(int64_t input, int64_t hidden) {
  RecurrentOptions options;
  options.cell = CellKind::lstm;
  options.input_size = input;
  options.hidden_size = hidden;
  options.bidirectional = true;
  return options;
}

// Right-padded mask [B, steps] with lengths[b] real steps in row b.
Tensor mask_of(const std::vector<int64_t>& lengths, int64_t steps) {
  const int64_t B = static_cast<int64_t>(lengths.size());
  Tensor mask = Tensor::zeros({B, steps});
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < lengths[static_cast<size_t>(b)]; ++t) mask.at({b, t}) = 1;
  return mask;
}

// h [B, T, W] -> [B, ceil(T/2), 2W]: each step with its right neighbour, eq. (5)'s
// [h_{2i}; h_{2i+1}]. An odd T gets one zero step first, as padding already holds.
Variable join_neighbours(const Variable& h) {
  const int64_t B = h.size(0), T = h.size(1), W = h.size(2);
  const Variable even = T % 2 == 0 ? h : concat({h, Variable(Tensor::zeros({B, 1, W}))}, 1);
  return reshape(even, {B, (T + 1) / 2, 2 * W});  // [B, T', 2W]
}

}  // namespace

Listener::Listener(const ListenerOptions& options, Generator& generator)
    : options_(checked(options)), dropout_(options.dropout, generator) {
  const int64_t R = options_.hidden;
  for (int64_t j = 0; j <= options_.pyramid; ++j) {
    const int64_t input = j == 0 ? options_.features : 4 * R;  // frames, or two joined steps
    layers_.push_back(std::make_unique<Recurrent>(layer_options(input, R), generator));
    register_module("layer" + std::to_string(j), *layers_.back());
  }
  register_module("dropout", dropout_);
}

int64_t Listener::steps_for(int64_t frames) const {
  for (int64_t j = 0; j < options_.pyramid; ++j) frames = (frames + 1) / 2;
  return frames;
}

ListenerOutput Listener::forward(const Variable& frames, const Tensor& mask) const {
  check(frames.ndim() == 3 && frames.size(2) == options_.features && frames.size(1) >= 1,
        "Listener", [&] {
          return "frames must be [B, T, " + std::to_string(options_.features) +
                 "] with T >= 1, got " + to_string(frames.shape());
        });
  const int64_t B = frames.size(0);
  std::vector<int64_t> lengths = lengths_from_mask(mask, B, frames.size(1));
  ListenerOutput out;
  out.mask = mask;
  Variable h = frames;  // [B, T, F]
  for (size_t j = 0; j < layers_.size(); ++j) {
    if (j > 0) {
      h = join_neighbours(dropout_.forward(h));  // [B, T/2, 4R]
      for (int64_t& length : lengths) length = (length + 1) / 2;
      if (mask.defined()) out.mask = mask_of(lengths, h.size(1));  // [B, T/2]
    }
    RecurrentOutput read = layers_[j]->forward(h, out.mask);  // [B, T', 2R]
    h = read.outputs;
    for (CellState& state : read.final) out.final.push_back(std::move(state));
  }
  out.states = h;  // [B, U, 2R]
  return out;
}

}  // namespace attn
