// Bahdanau attention's decoder step (see bahdanau.h): Bahdanau et al. 2015, §3.1 and A.2.2.
#include "models/rnn/bahdanau.h"

#include "autograd/ops.h"

namespace attn {

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

}  // namespace attn
