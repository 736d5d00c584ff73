// Bahdanau attention's decoder step (see bahdanau.h): Bahdanau et al. 2015, §3.1 and A.2.2.
#include "models/rnn/bahdanau.h"

#include "autograd/ops.h"

namespace attn {

namespace {

// Decoding projects the memory when all its rows hold at most this many vectors (N S). The
// projection costs N S M (G R + V) multiply-adds once, done at full speed as one large product;
// each step then saves reading the M (G R + V) weights, the bottleneck of a step over few rows.
constexpr int64_t kProjectedVectors = 128;

}  // namespace

BahdanauModel::BahdanauModel(const RnnConfig& config)
    : RnnSeq2Seq(config, config.embedding + config.memory_width()),
      output_(config.hidden + config.memory_width() + config.embedding, config.target_vocab,
              generator_) {
  register_module("output", output_);
}

Variable BahdanauModel::decoder_step(const Variable& embedded_gates, const Variable& embedded,
                                     RnnState& state) {
  // e_ts = score(s_{t-1}, h_s), a_t = softmax(e_t), c_t = sum_s a_ts h_s: the state BEFORE the step
  const Variable previous = state.layers.back().h;                  // s_{t-1} [N, R]
  const Variable context = attend_memory(previous, state).context;  // c_t [N, M]
  // s_t = GRU([y_{t-1}; c_t], s_{t-1}); the embedding's share of the input gates came precomputed
  const Variable gates = embedded_gates + matmul(context, state.extra_weights);  // [N, G R]
  state.layers = decoder_.step(gates, state.layers);
  return concat({state.layers.back().h, context, embedded}, 1);  // [N, R + M + D]
}

// ---- decoding: c_t's products moved onto the memory (bahdanau.h) -----------------------------

void BahdanauModel::project_memory(RnnState& state) const {
  const int64_t R = config_.hidden, M = config_.memory_width();
  const Variable context_output = narrow(output_.weight, 1, R, M);  // W_out's c_t columns [V, M]
  state.projected_gates = matmul(state.memory.states, state.extra_weights);  // [N, S, G R]
  state.projected_logits =
      matmul(state.memory.states, transpose(context_output, 0, 1));  // [N, S, V]
}

Variable BahdanauModel::step_logits(const Variable& embedded, RnnState& state) {
  const int64_t N = state.memory.states.size(0), S = state.memory.states.size(1);
  // Dropout on the output's features would have to act on c_t itself, not on its projection.
  if (dropout_.is_training() || N * S > kProjectedVectors)
    return RnnSeq2Seq::step_logits(embedded, state);
  if (!state.projected_gates.defined()) project_memory(state);
  const int64_t R = config_.hidden, M = config_.memory_width(), D = config_.embedding;
  const Variable previous = state.layers.back().h;  // s_{t-1} [N, R]
  const Variable weights = unsqueeze(attend_memory(previous, state).weights, 1);  // a_t [N, 1, S]
  // s_t = GRU([y_{t-1}; c_t], s_{t-1}), c_t's share of the gates as a_t P_gates
  const Variable context_gates = squeeze(matmul(weights, state.projected_gates), 1);  // [N, G R]
  state.layers = decoder_.step(embedded_gates(embedded) + context_gates, state.layers);
  // logits_t = W_out [s_t; c_t; y_{t-1}] + b, c_t's share as a_t P_logits
  const Variable state_output = narrow(output_.weight, 1, 0, R);         // [V, R]
  const Variable embedding_output = narrow(output_.weight, 1, R + M, D);  // [V, D]
  return matmul(state.layers.back().h, transpose(state_output, 0, 1)) +       // [N, V]
         matmul(embedded, transpose(embedding_output, 0, 1)) + output_.bias +  // [N, V]
         squeeze(matmul(weights, state.projected_logits), 1);                  // [N, V]
}

}  // namespace attn
