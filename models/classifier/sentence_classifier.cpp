// The self-attentive sentence classifier (see sentence_classifier.h): Lin et al. 2017, §2.
#include "models/classifier/sentence_classifier.h"

#include <string>
#include <utility>

#include "autograd/ops.h"
#include "models/seq2seq/special_tokens.h"
#include "tensor/error.h"
#include "tensor/index.h"

namespace attn {

namespace {

// The logit of a special token: exp(-1e9 - max) is 0, so it is never predicted.
constexpr real kNever = -1e9f;

const ClassifierConfig& checked(const ClassifierConfig& config) {
  config.check();
  return config;
}

RecurrentOptions bidirectional_lstm(const ClassifierConfig& config) {
  RecurrentOptions options;
  options.cell = CellKind::lstm;
  options.input_size = config.embedding;
  options.hidden_size = config.hidden;
  options.bidirectional = true;
  return options;
}

std::unique_ptr<AttentionPooling> make_pooling(const ClassifierConfig& config,
                                               Generator& generator) {
  if (config.pooling == SentencePooling::mean) return nullptr;
  AttentionPoolingOptions options;
  options.input_dim = 2 * config.hidden;
  options.attention_dim = config.attention_width;
  options.hops = config.hops;
  options.score = config.score;
  return std::make_unique<AttentionPooling>(options, generator);
}

// What the one decoding step needs: the reading, kept from encode().
struct ClassifierState : DecoderState {
  Variable features;  // M flattened [N, r*2u]
  Tensor weights;     // A [N, r, S]
  bool answered = false;
  void reorder(const Tensor& rows) override {
    features = index_select(features, 0, rows);
    weights = index_select(weights, 0, rows);
  }
};

}  // namespace

SentenceClassifier::SentenceClassifier(const ClassifierConfig& config)
    : config_(checked(config)),
      generator_(config.seed),
      embedding_(config.source_vocab, config.embedding, generator_, special_tokens::pad),
      encoder_(bidirectional_lstm(config), generator_),
      pooling_(make_pooling(config, generator_)),
      hidden_(config.hops * 2 * config.hidden, config.mlp_hidden, generator_),
      output_(config.mlp_hidden, config.classes(), generator_),
      dropout_(config.dropout, generator_),
      word_dropout_(config.embedding_dropout, generator_) {
  register_module("embedding", embedding_);
  register_module("encoder", encoder_);
  if (pooling_) register_module("pooling", *pooling_);
  register_module("hidden", hidden_);
  register_module("output", output_);
  register_module("dropout", dropout_);
  register_module("word_dropout", word_dropout_);
}

Tensor SentenceClassifier::uniform_weights(const Tensor& mask, int64_t B, int64_t S) const {
  const int64_t r = config_.hops;
  Tensor weights = Tensor::zeros({B, r, S});
  for (int64_t b = 0; b < B; ++b) {
    int64_t n = 0;
    for (int64_t s = 0; s < S; ++s) n += !mask.defined() || mask.at({b, s}) != 0 ? 1 : 0;
    for (int64_t s = 0; s < S; ++s) {
      if (mask.defined() && mask.at({b, s}) == 0) continue;
      for (int64_t i = 0; i < r; ++i) weights.at({b, i, s}) = real(1) / static_cast<real>(n);
    }
  }
  return weights;  // [B, r, S]
}

SentenceReading SentenceClassifier::read(const Source& source) {
  const Tensor& words = source.input;
  check(words.ndim() == 2 && words.size(1) >= 1, "sentence_classifier", [&] {
    return "source.input must be word ids [B, S] with S >= 1, got " + to_string(words.shape());
  });
  const int64_t B = words.size(0), S = words.size(1);
  const Variable embedded = word_dropout_.forward(embedding_.forward(words));  // [B, S, d_e]
  const Variable H = encoder_.forward(embedded, source.mask).outputs;  // [B, S, 2u]
  SentenceReading reading;
  reading.states = H;
  if (pooling_) {
    const PoolingResult pooled = pooling_->forward(H, source.mask);
    reading.weights = pooled.weights;                                 // [B, r, S]
    reading.features = reshape(pooled.summary, {B, config_.hops * 2 * config_.hidden});
  } else {
    reading.weights = Variable(uniform_weights(source.mask, B, S));  // [B, r, S]
    reading.features = reshape(matmul(reading.weights, H),            // [B, r, S] @ [B, S, 2u]
                               {B, config_.hops * 2 * config_.hidden});  // -> [B, r*2u]
  }
  return reading;
}

Variable SentenceClassifier::class_logits(const Variable& features) const {
  const Variable hidden = relu(hidden_.forward(dropout_.forward(features)));  // [B, m]
  return output_.forward(dropout_.forward(hidden));                           // [B, C]
}

Variable SentenceClassifier::token_logits(const Variable& logits) const {
  const Variable never(Tensor::full({logits.size(0), special_tokens::count}, kNever));  // [B, 4]
  return concat({never, logits}, 1);  // [B, 4 + C]
}

Memory SentenceClassifier::encode(const Source& source) {
  const SentenceReading reading = read(source);
  return {reading.states, source.mask, {reading.features, reading.weights}};
}

std::unique_ptr<DecoderState> SentenceClassifier::start(const Memory& memory) {
  check(memory.final_states.size() == 2, "sentence_classifier",
        "start() takes the memory encode() returned");
  auto state = std::make_unique<ClassifierState>();
  state->features = memory.final_states[0];
  state->weights = memory.final_states[1].value();
  return state;
}

Step SentenceClassifier::step(const Tensor& tokens, DecoderState& decoder_state) {
  auto& state = dynamic_cast<ClassifierState&>(decoder_state);
  check(!state.answered, "sentence_classifier",
        "a classifier answers in one token; there is no second step");
  check(tokens.ndim() == 1 && tokens.size(0) == state.features.size(0), "sentence_classifier",
        [&] { return "step takes one token per row [N], got " + to_string(tokens.shape()); });
  state.answered = true;
  return {token_logits(class_logits(state.features)),
          state.weights.unsqueeze(2)};  // [N, 4 + C], [N, r, 1, S]
}

Variable SentenceClassifier::forward(const Source& source, const Tensor& target_in) {
  check(target_in.ndim() == 2 && target_in.size(1) == 1 && target_in.size(0) == source.batch(),
        "sentence_classifier", [&] {
          return "answers in one token: target_in must be [B, 1] with the source's B, got " +
                 to_string(target_in.shape());
        });
  const SentenceReading reading = read(source);
  const bool penalised = is_training() && pooling_ && config_.penalty > 0;
  penalty_ = penalised ? redundancy_penalty(reading.weights) * config_.penalty : Variable();
  return unsqueeze(token_logits(class_logits(reading.features)), 1);  // [B, 1, 4 + C]
}

Variable SentenceClassifier::penalty() { return std::exchange(penalty_, Variable()); }

}  // namespace attn
