// What Bahdanau's and Luong's models share (see rnn_seq2seq.h).
#include "models/rnn/rnn_seq2seq.h"

#include <string>

#include "autograd/ops.h"
#include "models/seq2seq/special_tokens.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"
#include "tensor/index.h"

namespace attn {

namespace {

// The score function of config.score, wrapped in a local window when config.window asks.
std::unique_ptr<ScoreFunction> make_attention(const RnnConfig& config, Generator& generator) {
  ScoreSpec spec;
  spec.query_dim = config.hidden;
  spec.key_dim = config.memory_width();
  spec.seed = generator.next_u64();
  std::unique_ptr<ScoreFunction> score = make_score_function(config.score, spec);
  if (config.window == WindowKind::global) return score;
  return std::make_unique<LocalWindow>(std::move(score), config.window, config.window_size,
                                       config.hidden, generator);
}

RecurrentOptions encoder_options(const RnnConfig& config) {
  RecurrentOptions options;
  options.cell = config.cell;
  options.input_size = config.embedding;
  options.hidden_size = config.encoder_width();
  options.layers = config.encoder_layers;
  options.bidirectional = config.bidirectional;
  options.dropout = config.dropout;
  return options;
}

// W_s of the initial states backward and last: from the encoder's final state(s) to every
// decoder layer's s_0 at once; none for zero and copy.
std::unique_ptr<Linear> make_bridge(const RnnConfig& config, Generator& generator) {
  if (config.initial_state != InitialState::backward && config.initial_state != InitialState::last)
    return nullptr;
  const int64_t in = config.initial_state == InitialState::backward ? config.encoder_width()
                                                                    : config.memory_width();
  return std::make_unique<Linear>(in, config.decoder_layers * config.hidden, generator);
}

const RnnConfig& checked(const RnnConfig& config, bool text_encoder) {
  config.check();
  check((config.source_vocab > special_tokens::pad || !text_encoder) &&
            config.target_vocab > special_tokens::pad,
        "rnn", [&] {
          return "source_vocab and target_vocab must be set, got " +
                 std::to_string(config.source_vocab) + " and " +
                 std::to_string(config.target_vocab);
        });
  return config;
}

// Step t of x [B, T, ...] -> [B, ...]
Variable step_of(const Variable& x, int64_t t) { return squeeze(narrow(x, 1, t, 1), 1); }

}  // namespace

// ---- the decoder's state ----------------------------------------------------------------------

void RnnState::reorder(const Tensor& rows) {
  for (CellState& layer : layers) {
    layer.h = index_select(layer.h, 0, rows);                         // [N', R]
    if (layer.c.defined()) layer.c = index_select(layer.c, 0, rows);  // [N', R]
  }
  memory.states = index_select(memory.states, 0, rows);  // [N', S, M]
  if (memory.mask.defined()) memory.mask = index_select(memory.mask, 0, rows);
  keys = index_select(keys, 0, rows);
  if (feed.defined()) feed = index_select(feed, 0, rows);
  history.select_rows(rows);
  if (weights.defined()) weights = index_select(weights, 0, rows);
  if (projected_gates.defined()) projected_gates = index_select(projected_gates, 0, rows);
  if (projected_logits.defined()) projected_logits = index_select(projected_logits, 0, rows);
}

// ---- the model --------------------------------------------------------------------------------

RnnSeq2Seq::RnnSeq2Seq(const RnnConfig& config, int64_t first_input, bool text_encoder)
    : config_(checked(config, text_encoder)),
      generator_(config.seed),
      source_embedding_(text_encoder ? std::make_unique<Embedding>(config.source_vocab, config.embedding,
                                                                   generator_, special_tokens::pad)
                                     : nullptr),
      target_embedding_(config.target_vocab, config.embedding, generator_, special_tokens::pad),
      dropout_(config.dropout, generator_),
      encoder_(text_encoder ? std::make_unique<Recurrent>(encoder_options(config), generator_)
                            : nullptr),
      bridge_(make_bridge(config, generator_)),
      attention_(make_attention(config, generator_)),
      decoder_(config.cell, first_input, config.hidden, config.decoder_layers, config.dropout,
               generator_) {
  if (source_embedding_) register_module("source_embedding", *source_embedding_);
  register_module("target_embedding", target_embedding_);
  register_module("dropout", dropout_);
  if (encoder_) register_module("encoder", *encoder_);
  if (bridge_) register_module("bridge", *bridge_);
  register_module("attention", *attention_);
  register_module("decoder", decoder_);
}

Memory RnnSeq2Seq::encode(const Source& source) {
  check(source.input.ndim() == 2, "rnn encode",
        [&] { return "source must be [B, S] token ids, got " + to_string(source.input.shape()); });
  check(encoder_ != nullptr, "rnn encode", "this model has no text encoder");
  const Variable x = dropout_.forward(source_embedding_->forward(source.input));  // [B, S, D]
  const RecurrentOutput read = encoder_->forward(x, source.mask);
  Memory memory{read.outputs, source.mask, {}};  // [B, S, M], [B, S]
  for (const CellState& state : read.final) memory.final_states.push_back(state.h);  // [B, R_e]
  if (config_.cell == CellKind::lstm)
    for (const CellState& state : read.final) memory.final_states.push_back(state.c);
  return memory;
}

std::vector<CellState> RnnSeq2Seq::initial_states(const Memory& memory) const {
  const int64_t N = memory.states.size(0), R = config_.hidden;
  const size_t K = static_cast<size_t>(config_.directions());
  const size_t LK = static_cast<size_t>(config_.encoder_layers) * K;
  const bool lstm = config_.cell == CellKind::lstm;
  check(memory.final_states.size() == (lstm ? 2 : 1) * LK, "rnn start", [&] {
    return "the memory holds " + std::to_string(memory.final_states.size()) +
           " final states; this encoder leaves " + std::to_string((lstm ? 2 : 1) * LK);
  });
  // Layer l's final state, both directions side by side: [N, K R_e]
  auto joined = [&](size_t first, size_t l) {
    const size_t i = first + l * K;
    return K == 1 ? memory.final_states[i]
                  : concat({memory.final_states[i], memory.final_states[i + 1]}, 1);
  };
  std::vector<CellState> states = decoder_.zero_states(N);
  switch (config_.initial_state) {
    case InitialState::zero:
      break;
    case InitialState::copy:  // h^l_0 (and c^l_0) = the encoder's layer l, directions joined
      for (size_t l = 0; l < states.size(); ++l) {
        states[l].h = joined(0, l);             // [N, R]
        if (lstm) states[l].c = joined(LK, l);  // [N, R]
      }
      break;
    case InitialState::backward:  // s_0 = tanh(W_s <-h_1), Bahdanau et al. 2015, A.2.2
    case InitialState::last: {    // s_0 = tanh(W_s [->h_S; <-h_1])
      const size_t top = LK - K;  // the last encoder layer's first direction
      const Variable from = config_.initial_state == InitialState::backward
                                ? memory.final_states[top + 1]  // [N, R_e]
                                : joined(0, top / K);           // [N, M]
      const Variable s0 = tanh(bridge_->forward(from));         // [N, L R]
      for (size_t l = 0; l < states.size(); ++l)
        states[l].h = narrow(s0, 1, static_cast<int64_t>(l) * R, R);  // [N, R]
      break;
    }
  }
  return states;
}

std::unique_ptr<DecoderState> RnnSeq2Seq::start(const Memory& memory) {
  auto state = std::make_unique<RnnState>();
  state->layers = initial_states(memory);
  state->memory = {memory.states, memory.mask, {}};
  state->keys = attention_->prepare_keys(memory.states);  // once per source, not per step
  const RecurrentCell& first = decoder_.layer(0);
  const int64_t D = config_.embedding, X = first.input_size() - D;
  if (X > 0) state->extra_weights = transpose(narrow(first.weight_ih, 1, D, X), 0, 1);  // [X, G R]
  if (config_.input_feed)
    state->feed = Variable(Tensor::zeros({memory.states.size(0), config_.hidden}));  // h~_0 = 0
  return state;
}

Variable RnnSeq2Seq::embedded_gates(const Variable& embedded) const {
  const RecurrentCell& first = decoder_.layer(0);
  const Variable w = narrow(first.weight_ih, 1, 0, config_.embedding);  // [G R, D]
  return matmul(embedded, transpose(w, 0, 1)) + first.bias_ih;  // [..., D] @ [D, G R] -> [..., G R]
}

AttentionResult RnnSeq2Seq::attend_memory(const Variable& query, RnnState& state) {
  AttentionOptions options;
  options.kind = AttentionKind::cross;
  options.mask = state.memory.mask;       // [N, S]
  options.query_offset = state.position;  // t, for scores and windows that use positions
  options.history = &state.history;
  AttentionResult result = attend_one(*attention_, query, state.keys, state.memory.states, options);
  state.weights = result.weights.value();  // [N, S]
  return result;                           // context [N, M], weights [N, S]
}

Step RnnSeq2Seq::step(const Tensor& tokens, DecoderState& decoder_state) {
  auto& state = dynamic_cast<RnnState&>(decoder_state);
  const int64_t N = tokens.numel();
  check(tokens.ndim() == 1 && N == state.memory.states.size(0), "rnn step", [&] {
    return "tokens must be [N] with the state's N = " +
           std::to_string(state.memory.states.size(0)) + ", got " + to_string(tokens.shape());
  });
  const Variable embedded = dropout_.forward(target_embedding_.forward(tokens));  // [N, D]
  const Variable logits_t = step_logits(embedded, state);  // [N, V]
  state.position += 1;
  const int64_t S = state.weights.size(-1);
  return {logits_t, state.weights.view({N, 1, 1, S})};
}

Variable RnnSeq2Seq::step_logits(const Variable& embedded, RnnState& state) {
  const Variable features = decoder_step(embedded_gates(embedded), embedded, state);  // [N, O]
  return logits(dropout_.forward(features));                                         // [N, V]
}

Variable RnnSeq2Seq::forward(const Source& source, const Tensor& target_in) {
  check(target_in.ndim() == 2 && target_in.size(0) == source.batch(), "rnn forward", [&] {
    return "target_in must be [B, T] token ids with the source's B, got " +
           to_string(target_in.shape()) + " and source " + to_string(source.input.shape());
  });
  const std::unique_ptr<DecoderState> started = start(encode(source));
  RnnState& state = static_cast<RnnState&>(*started);
  const Variable embedded = dropout_.forward(target_embedding_.forward(target_in));  // [B, T, D]
  const Variable gates = embedded_gates(embedded);  // [B, T, G R]: one product for all steps
  std::vector<Variable> features;
  for (int64_t t = 0; t < target_in.size(1); ++t) {
    features.push_back(decoder_step(step_of(gates, t), step_of(embedded, t), state));  // [B, O]
    state.position += 1;
  }
  return logits(dropout_.forward(stack(features, 1)));  // [B, T, O] -> [B, T, V]
}

}  // namespace attn
