// The sentence classifier's settings and sizes (see classifier_config.h).
#include "models/classifier/classifier_config.h"

#include "models/classifier/sentence_classifier.h"
#include "models/seq2seq/special_tokens.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"

namespace attn {

namespace {

struct Sizes {
  const char* name;
  int64_t embedding, hidden, attention_width, hops, mlp_hidden;
};

constexpr Sizes kPresets[] = {
    {"micro", 8, 8, 8, 2, 16},         // tests
    {"small", 64, 64, 32, 4, 128},     // the generated task, the curriculum
    {"base", 100, 150, 64, 4, 256},    // TREC and SST-2 on a laptop CPU
};

// The weights and biases of one direction of a one-layer LSTM reading `input`-wide vectors.
int64_t lstm_direction(int64_t input, int64_t hidden) {
  return 4 * hidden * input + 4 * hidden * hidden + 2 * 4 * hidden;
}

}  // namespace

std::vector<std::string> ClassifierConfig::presets() const { return preset_names(kPresets); }

void ClassifierConfig::apply_preset(const std::string& name) {
  const Sizes& sizes = find_preset(kPresets, name, "sentence_classifier");
  embedding = sizes.embedding;
  hidden = sizes.hidden;
  attention_width = sizes.attention_width;
  hops = sizes.hops;
  mlp_hidden = sizes.mlp_hidden;
}

Settings ClassifierConfig::settings() {
  Settings all = common_settings();
  const Settings own = {
      integer_setting("embedding", embedding, "word vector width d_e", 1, 4096),
      integer_setting("hidden", hidden, "each LSTM direction's width u (H is 2u wide)", 1, 4096),
      integer_setting("attention_width", attention_width, "attention width d_a of W_s1", 1, 4096),
      integer_setting("hops", hops, "rows r of the attention: summary vectors per sentence", 1,
                      256),
      integer_setting("mlp_hidden", mlp_hidden, "the MLP's hidden layer", 1, 16384),
      choice_setting("pooling", pooling,
                     "attention (Lin et al. 2017), or mean over the words (the baseline)",
                     {{"attention", SentencePooling::attention}, {"mean", SentencePooling::mean}}),
      score_setting(score, "score function NAME[:key=value,...] of the learned queries and words"),
      number_setting("penalty", penalty, "coefficient of ||A A^T - I||_F^2 (§2.2; 0: off)", 0,
                     1000),
      number_setting("dropout", dropout, "dropout on the sentence embedding and the MLP", 0,
                     0.99),
      number_setting("embedding_dropout", embedding_dropout,
                     "dropout on the word vectors before the BiLSTM (not in the paper)", 0, 0.99),
  };
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

int64_t ClassifierConfig::classes() const { return target_vocab - special_tokens::count; }

void ClassifierConfig::check() const {
  attn::check(classes() >= 2, "sentence_classifier",
              "needs at least 2 classes: target_vocab must be at least " +
                  std::to_string(special_tokens::count + 2) + ", got " +
                  std::to_string(target_vocab));
  attn::check(source_vocab > special_tokens::count, "sentence_classifier",
              "source_vocab must hold words besides the special tokens, got " +
                  std::to_string(source_vocab));
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = attention_width;
  make_score_function(score, spec);  // throws naming the score if it cannot serve d_a
}

std::unique_ptr<ModelConfig> ClassifierConfig::clone() const {
  return std::make_unique<ClassifierConfig>(*this);
}

std::unique_ptr<Seq2Seq> ClassifierConfig::build() const {
  check();
  return std::make_unique<SentenceClassifier>(*this);
}

int64_t ClassifierConfig::pooling_parameter_count() const {
  if (pooling == SentencePooling::mean) return 0;
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = attention_width;
  const int64_t score_parameters = make_score_function(score, spec)->parameter_count();
  return attention_width * 2 * hidden + hops * attention_width + score_parameters;
}

int64_t ClassifierConfig::parameter_count() const {
  const int64_t features = hops * 2 * hidden;  // the flattened M
  return source_vocab * embedding                     // word vectors
         + 2 * lstm_direction(embedding, hidden)      // the bidirectional LSTM
         + pooling_parameter_count()                  // W_s1, W_s2, the score's
         + features * mlp_hidden + mlp_hidden         // the MLP's hidden layer
         + mlp_hidden * classes() + classes();        // ... and its output layer
}

}  // namespace attn
