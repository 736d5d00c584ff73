// Luong attention's decoder step (see luong.h): Luong et al. 2015, §3.
#include "models/rnn/luong.h"

#include "autograd/ops.h"

namespace attn {

LuongModel::LuongModel(const RnnConfig& config) : LuongModel(config, true) {}

LuongModel::LuongModel(const RnnConfig& config, bool text_encoder)
    : RnnSeq2Seq(config, config.embedding + (config.input_feed ? config.hidden : 0), text_encoder),
      combine_(config.memory_width() + config.hidden, config.hidden, generator_, /*bias=*/false),
      output_(config.hidden, config.target_vocab, generator_) {
  register_module("combine", combine_);
  register_module("output", output_);
}

Variable LuongModel::decoder_step(const Variable& embedded_gates, const Variable& /*embedded*/,
                                  RnnState& state) {
  // h_t = LSTM([y_{t-1}; h~_{t-1}], h_{t-1}); the embedding's share of the input gates came
  // precomputed, input feeding adds h~_{t-1}'s (§3.3)
  const Variable gates = config_.input_feed
                             ? embedded_gates + matmul(state.feed, state.extra_weights)
                             : embedded_gates;  // [N, G R]
  state.layers = decoder_.step(gates, state.layers);
  // the state AFTER the step queries: a_t = align(h_t, h_s), c_t = sum_s a_ts h_s
  const Variable current = state.layers.back().h;                  // h_t [N, R]
  const Variable context = attend_memory(current, state).context;  // c_t [N, M]
  // h~_t = tanh(W_c [c_t; h_t]), eq. (5)
  const Variable attentional = tanh(combine_.forward(concat({context, current}, 1)));  // [N, R]
  if (config_.input_feed) state.feed = attentional;
  return attentional;
}

}  // namespace attn
