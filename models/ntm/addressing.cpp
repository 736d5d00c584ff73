// NTM addressing: content by the cosine score, then interpolation, shift and sharpening
// (see addressing.h).
#include "models/ntm/addressing.h"

#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"

namespace attn {

namespace {

// Below every weight before the logarithm of sharpen(): a weight the shift left at exactly 0
// stays 0 after sharpening (0^gamma) without log(0) reaching the gradient.
constexpr real kSharpenFloor = 1e-12;

void check_last_axis(const Variable& x, int64_t width, const std::string& what,
                     const Variable& weights) {
  check(x.size(-1) == width && x.ndim() == weights.ndim(), "ntm addressing", [&] {
    return what + " " + to_string(x.shape()) + " does not fit the weights " +
           to_string(weights.shape()) + " (expected [..., " + std::to_string(width) + "])";
  });
}

}  // namespace

// ---- the location steps -------------------------------------------------------------------------

Variable interpolate(const Variable& content, const Variable& previous, const Variable& gate) {
  check(previous.shape() == content.shape(), "ntm addressing", [&] {
    return "previous weights " + to_string(previous.shape()) + " differ from the content weights " +
           to_string(content.shape());
  });
  check_last_axis(gate, 1, "gate g", content);
  // d/dw_c = g, d/dw_prev = 1 - g, d/dg = w_c - w_prev: all from the ops' own derivatives.
  return gate * content + (1 - gate) * previous;  // [..., 1] * [..., N] -> [..., N]
}

Variable circular_shift(const Variable& weights, const Variable& shifts) {
  const int64_t N = weights.size(-1), offsets = shifts.size(-1), K = offsets / 2;
  check(offsets % 2 == 1, "ntm addressing",
        [&] { return "shifts " + to_string(shifts.shape()) + " must cover -K..K, an odd count"; });
  check_last_axis(shifts, offsets, "shifts s", weights);
  Variable shifted;
  for (int64_t k = -K; k <= K; ++k) {
    // rotated(i) = w((i - k) mod N): the last r = k mod N rows move to the front.
    const int64_t r = ((k % N) + N) % N;
    const Variable rotated =
        r == 0 ? weights
               : concat({narrow(weights, -1, N - r, r), narrow(weights, -1, 0, N - r)}, -1);
    const Variable term = narrow(shifts, -1, k + K, 1) * rotated;  // [..., 1] * [..., N]
    shifted = shifted.defined() ? shifted + term : term;           // [..., N]
  }
  return shifted;
}

Variable sharpen(const Variable& weights, const Variable& gamma) {
  check_last_axis(gamma, 1, "gamma", weights);
  // w^gamma = exp(gamma log w), so that gamma, a variable per row, gets its gradient too:
  // d/dw = gamma w^(gamma - 1), d/dgamma = w^gamma log w.
  const Variable powered = exp(gamma * log(weights + kSharpenFloor));  // [..., N]
  return powered / sum(powered, -1, true);                             // [..., N] / [..., 1]
}

// ---- the head's addressing as a score -----------------------------------------------------------

NtmAddressing::NtmAddressing(const AddressingLayout& layout) : layout_(layout) {
  check(layout.memory_width > 0 && layout.max_shift >= 0, "ntm addressing", [&] {
    return "needs a memory width > 0 and a shift range >= 0, got M = " +
           std::to_string(layout.memory_width) + ", K = " + std::to_string(layout.max_shift);
  });
  ScoreSpec spec;
  spec.query_dim = layout.memory_width + 1;  // the key, then beta
  spec.key_dim = layout.memory_width;
  content_ = make_score_function("cosine:strength=query", spec);
  register_module("content", *content_);
}

Variable NtmAddressing::scores(const Variable& queries, const Variable& memory,
                               const ScoreContext& context) {
  check(queries.size(-1) == layout_.width(), "ntm addressing", [&] {
    return "a head's query is [..., " + std::to_string(layout_.width()) +
           "] (key, beta, g, shifts, gamma), got " + to_string(queries.shape());
  });
  check(!context.mask.defined(), "ntm addressing",
        "the memory has no padding: a mask would be shifted onto masked rows");
  const Variable key_and_strength = narrow(queries, -1, 0, layout_.memory_width + 1);
  return content_->scores(key_and_strength, memory, context);  // [..., 1, N]
}

Variable NtmAddressing::reweight(const Variable& content, const Variable& queries,
                                 const ScoreContext& context) {
  const bool first = context.history == nullptr || context.history->empty();
  const Variable previous = first ? Variable(start_weights(content.shape()))
                                  : context.history->previous;          // [..., 1, N]
  const Variable gate = narrow(queries, -1, layout_.gate_at(), 1);      // [..., 1, 1]
  const Variable shifts = narrow(queries, -1, layout_.shifts_at(), layout_.shift_count());
  const Variable gamma = narrow(queries, -1, layout_.gamma_at(), 1);    // [..., 1, 1]
  const Variable gated = interpolate(content, previous, gate);          // [..., 1, N]
  return sharpen(circular_shift(gated, shifts), gamma);                 // [..., 1, N]
}

Tensor NtmAddressing::start_weights(const Shape& shape) {
  Tensor weights = Tensor::zeros(shape);                 // [..., 1, N]
  const int64_t N = shape.back();
  for (int64_t i = 0; i < weights.numel(); i += N) weights.data()[i] = 1;  // row 0 of each
  return weights;
}

}  // namespace attn
