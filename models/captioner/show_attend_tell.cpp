// Show, Attend and Tell (see show_attend_tell.h).
#include "models/captioner/show_attend_tell.h"

#include <string>
#include <utility>

#include "autograd/ops.h"
#include "models/seq2seq/special_tokens.h"
#include "nn/attention/registry.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/index.h"
#include "tensor/random.h"

namespace attn {

namespace {

const CaptionerConfig& checked(const CaptionerConfig& config) {
  config.check();
  check(config.target_vocab > special_tokens::pad, "show_attend_tell",
        [&] { return "target_vocab must be set, got " + std::to_string(config.target_vocab); });
  return config;
}

std::unique_ptr<ScoreFunction> make_attention(const CaptionerConfig& config, Generator& generator) {
  if (config.pooling == CaptionPooling::mean) return nullptr;
  ScoreSpec spec;
  spec.query_dim = config.hidden;
  spec.key_dim = config.encoder_width;
  spec.seed = generator.next_u64();
  return make_score_function(config.score, spec);
}

// Step t of x [B, T, ...] -> [B, ...]
Variable step_of(const Variable& x, int64_t t) { return squeeze(narrow(x, 1, t, 1), 1); }

}  // namespace

// ---- the decoder's state ----------------------------------------------------------------------

void CaptionState::reorder(const Tensor& rows) {
  for (CellState& layer : layers) {
    layer.h = index_select(layer.h, 0, rows);  // [N', n]
    layer.c = index_select(layer.c, 0, rows);  // [N', n]
  }
  annotations = index_select(annotations, 0, rows);  // [N', L, D]
  if (keys.defined()) keys = index_select(keys, 0, rows);
  mean_annotation = index_select(mean_annotation, 0, rows);  // [N', D]
  history.select_rows(rows);
  if (alpha.defined()) alpha = index_select(alpha, 0, rows);
}

// ---- the model --------------------------------------------------------------------------------

ShowAttendTell::ShowAttendTell(const CaptionerConfig& config)
    : config_(checked(config)),
      generator_(config.seed),
      encoder_(config.image_channels, config.encoder_channels(), config.encoder_pools, generator_),
      init_h_(config.encoder_width, config.hidden, generator_),
      init_c_(config.encoder_width, config.hidden, generator_),
      embedding_(config.target_vocab, config.embedding, generator_, special_tokens::pad),
      attention_(make_attention(config, generator_)),
      gate_(config.gate ? std::make_unique<Linear>(config.hidden, 1, generator_) : nullptr),
      decoder_(CellKind::lstm, config.embedding + config.encoder_width, config.hidden, 1, 0,
               generator_),
      output_h_(config.hidden, config.embedding, generator_, false),
      output_z_(config.encoder_width, config.embedding, generator_, false),
      output_(config.embedding, config.target_vocab, generator_),
      dropout_(config.dropout, generator_) {
  register_module("encoder", encoder_);
  if (config.positions) {
    const int64_t L = config.grid_height() * config.grid_width();
    positions_ = register_parameter("positions", normal({L, config.encoder_width}, 0, 0.1f, generator_));
  }
  register_module("init_h", init_h_);
  register_module("init_c", init_c_);
  register_module("embedding", embedding_);
  if (attention_) register_module("attention", *attention_);
  if (gate_) register_module("gate", *gate_);
  register_module("decoder", decoder_);
  register_module("output_h", output_h_);
  register_module("output_z", output_z_);
  register_module("output", output_);
  register_module("dropout", dropout_);
}

Memory ShowAttendTell::encode(const Source& source) {
  const Shape expected = {source.batch(), config_.image_channels, config_.image_height,
                          config_.image_width};
  check(source.input.shape() == expected, "show_attend_tell encode", [&] {
    return "images must be " + to_string(expected) + ", got " + to_string(source.input.shape());
  });
  const Variable a = encoded(Variable(source.input));                // [B, L, D]
  return {positions_.defined() ? a + positions_ : a, Tensor(), {}};  // + [L, D] for every image
}

Variable ShowAttendTell::encoded(const Variable& images) {
  if (!encoder_frozen_) return encoder_.forward(images);
  const NoGradGuard fixed_features;
  return encoder_.forward(images);
}

std::unique_ptr<DecoderState> ShowAttendTell::start(const Memory& memory) {
  auto state = std::make_unique<CaptionState>();
  state->annotations = memory.states;                       // [N, L, D]
  state->mean_annotation = mean(memory.states, 1);          // [N, D]
  const Variable h0 = tanh(init_h_.forward(state->mean_annotation));  // [N, n]
  const Variable c0 = tanh(init_c_.forward(state->mean_annotation));  // [N, n]
  state->layers = {CellState{h0, c0}};
  if (attention_) state->keys = attention_->prepare_keys(memory.states);  // once per image
  return state;
}

AttentionResult ShowAttendTell::look(const Variable& query, CaptionState& state) {
  const int64_t N = state.annotations.size(0), L = state.annotations.size(1);
  if (!attention_) {  // the baseline: every cell weighs 1/L, the context is the mean
    const Tensor uniform = Tensor::full({N, L}, real(1) / static_cast<real>(L));
    return {state.mean_annotation, Variable(uniform)};
  }
  AttentionOptions options;
  options.query_offset = state.position;
  options.history = &state.history;
  return attend_one(*attention_, query, state.keys, state.annotations, options);  // [N, D], [N, L]
}

Variable ShowAttendTell::embedded_gates(const Variable& embedded) const {
  const RecurrentCell& cell = decoder_.layer(0);
  const Variable w = narrow(cell.weight_ih, 1, 0, config_.embedding);  // [4n, m]
  return matmul(embedded, transpose(w, 0, 1)) + cell.bias_ih;  // [..., m] @ [m, 4n] -> [..., 4n]
}

Variable ShowAttendTell::decoder_step(const Variable& gates_of_word, const Variable& embedded,
                                      CaptionState& state) {
  const Variable h_prev = state.layers[0].h;          // [N, n]
  const AttentionResult looked = look(h_prev, state);  // alpha_t [N, L], context [N, D]
  state.alpha = looked.weights;
  Variable z = looked.context;                                    // [N, D]
  if (gate_) z = sigmoid(gate_->forward(h_prev)) * z;            // beta_t [N, 1] * [N, D]
  const RecurrentCell& cell = decoder_.layer(0);
  const Variable w_z = narrow(cell.weight_ih, 1, config_.embedding, config_.encoder_width);
  const Variable x_gates = gates_of_word + matmul(z, transpose(w_z, 0, 1));  // [N, 4n]
  state.layers = decoder_.step(x_gates, state.layers);
  const Variable h = state.layers[0].h;                                          // [N, n]
  const Variable deep = embedded + output_h_.forward(h) + output_z_.forward(z);  // o_t [N, m]
  return config_.deep_output == DeepOutput::tanh ? tanh(deep) : deep;
}

Step ShowAttendTell::step(const Tensor& tokens, DecoderState& decoder_state) {
  auto& state = dynamic_cast<CaptionState&>(decoder_state);
  const int64_t N = tokens.numel(), L = state.annotations.size(1);
  check(tokens.ndim() == 1 && N == state.annotations.size(0), "show_attend_tell step", [&] {
    return "tokens must be [N] with the state's N = " + std::to_string(state.annotations.size(0)) +
           ", got " + to_string(tokens.shape());
  });
  const Variable embedded = embedding_.forward(tokens);  // [N, m]
  const Variable deep = decoder_step(embedded_gates(embedded), embedded, state);  // [N, m]
  state.position += 1;
  return {output_.forward(dropout_.forward(deep)), state.alpha.value().view({N, 1, 1, L})};
}

Variable ShowAttendTell::forward(const Source& source, const Tensor& target_in) {
  check(target_in.ndim() == 2 && target_in.size(0) == source.batch(), "show_attend_tell forward",
        [&] {
          return "target_in must be [B, T] token ids with the source's B, got " +
                 to_string(target_in.shape()) + " and images " + to_string(source.input.shape());
        });
  const std::unique_ptr<DecoderState> started = start(encode(source));
  CaptionState& state = static_cast<CaptionState&>(*started);
  const Variable embedded = embedding_.forward(target_in);  // [B, T, m]
  const Variable gates = embedded_gates(embedded);          // [B, T, 4n]: one product, all steps
  std::vector<Variable> deep, alphas;
  for (int64_t t = 0; t < target_in.size(1); ++t) {
    deep.push_back(decoder_step(step_of(gates, t), step_of(embedded, t), state));  // [B, m]
    alphas.push_back(state.alpha);                                                 // [B, L]
    state.position += 1;
  }
  const bool penalised = is_training() && attention_ && config_.attention_penalty > 0;
  penalty_ = penalised ? attention_penalty(alphas, target_in) : Variable();
  return output_.forward(dropout_.forward(stack(deep, 1)));  // [B, T, m] -> [B, T, V]
}

Variable ShowAttendTell::attention_penalty(const std::vector<Variable>& alphas,
                                           const Tensor& target_in) const {
  const Shape B_T_1 = {target_in.size(0), target_in.size(1), 1};
  const Tensor words = ne(target_in, Tensor::full(target_in.shape(), real(special_tokens::pad)));
  const Variable looked = sum(stack(alphas, 1) * Variable(words.reshape(B_T_1)), 1);  // [B, L]
  return mean(pow(real(1) - looked, 2)) * config_.attention_penalty;  // lambda mean (1 - sum_t)^2
}

Variable ShowAttendTell::penalty() { return std::exchange(penalty_, Variable()); }

}  // namespace attn
