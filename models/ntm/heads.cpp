// The NTM's read and write heads (see heads.h).
#include "models/ntm/heads.h"

#include "autograd/ops.h"
#include "nn/attention/attention.h"

namespace attn {

namespace {

// Every raw parameter is kept within (-20, 20) before its squashing, smoothly so that it keeps a
// gradient: beta stays below 20 and gamma below 21, so w^gamma of a weight near 1/2 cannot
// underflow to a row of zeros. Collier & Beel 2018 (§4) clip the controller's outputs to the
// same range for the same reason.
constexpr real kBound = 20;

Variable bounded(const Variable& raw) { return tanh(raw / kBound) * kBound; }

}  // namespace

Variable addressing_query(const Variable& raw, const AddressingLayout& layout) {
  const Variable kept = bounded(raw);                                           // [B, W]
  const Variable key = tanh(narrow(kept, -1, 0, layout.memory_width));          // [B, M]
  const Variable beta = softplus(narrow(kept, -1, layout.beta_at(), 1));        // [B, 1]
  const Variable gate = sigmoid(narrow(kept, -1, layout.gate_at(), 1));         // [B, 1]
  const Variable shifts =
      softmax(narrow(kept, -1, layout.shifts_at(), layout.shift_count()), -1);  // [B, 2K+1]
  const Variable gamma = 1 + softplus(narrow(kept, -1, layout.gamma_at(), 1));  // [B, 1]
  return concat({key, beta, gate, shifts, gamma}, -1);                          // [B, W]
}

// ---- reading ----------------------------------------------------------------------------------

ReadHead::ReadHead(int64_t controller_size, const AddressingLayout& layout, Generator& generator)
    : addressing_(layout), to_parameters_(controller_size, layout.width(), generator) {
  register_module("addressing", addressing_);
  register_module("to_parameters", to_parameters_);
}

HeadOutput ReadHead::read(const Variable& h, const Variable& memory, AlignmentHistory& history) {
  const Variable query = addressing_query(to_parameters_.forward(h), addressing_.layout());  // [B, W]
  AttentionOptions options;
  options.history = &history;
  // r = sum_i w(i) M(i): attention whose keys and values are both the memory's rows.
  const AttentionResult result = attend_one(addressing_, query, memory, memory, options);
  return {result.context, Variable(), result.weights};  // [B, M], -, [B, N]
}

// ---- writing ----------------------------------------------------------------------------------

WriteHead::WriteHead(int64_t controller_size, const AddressingLayout& layout, Generator& generator)
    : addressing_(layout),
      to_parameters_(controller_size, layout.width() + 2 * layout.memory_width, generator) {
  register_module("addressing", addressing_);
  register_module("to_parameters", to_parameters_);
}

HeadOutput WriteHead::write(const Variable& h, const Variable& memory, AlignmentHistory& history) {
  const AddressingLayout& layout = addressing_.layout();
  const int64_t M = layout.memory_width, W = layout.width();
  const Variable raw = to_parameters_.forward(h);                           // [B, W + 2M]
  const Variable query = addressing_query(narrow(raw, -1, 0, W), layout);   // [B, W]
  const Variable erase = sigmoid(narrow(raw, -1, W, M));                    // [B, M]
  const Variable add = tanh(narrow(raw, -1, W + M, M));                     // [B, M], in (-1, 1)
  AttentionOptions options;
  options.history = &history;
  const Variable w = attend_one(addressing_, query, memory, memory, options).weights;  // [B, N]
  // Outer products w e^T and w a^T: [B, N, 1] * [B, 1, M] -> [B, N, M]
  const Variable w_column = unsqueeze(w, 2);                                // [B, N, 1]
  const Variable erased = memory * (1 - w_column * unsqueeze(erase, 1));    // [B, N, M]
  return {Variable(), erased + w_column * unsqueeze(add, 1), w};            // -, [B, N, M], [B, N]
}

}  // namespace attn
