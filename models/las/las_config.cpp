// Listen, Attend and Spell's settings and sizes (see las_config.h).
#include "models/las/las_config.h"

#include <limits>

#include "models/las/las.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"

namespace attn {

namespace {

struct Sizes {
  const char* name;
  int64_t listener_hidden, pyramid, embedding, hidden;
};

constexpr Sizes kPresets[] = {
    {"micro", 8, 2, 8, 16},      // tests
    {"tiny", 64, 3, 32, 128},    // synthetic tones, the curriculum
    {"small", 128, 3, 64, 256},  // spoken digits
};

}  // namespace

std::vector<std::string> LasConfig::presets() const { return preset_names(kPresets); }

void LasConfig::apply_preset(const std::string& name) {
  const Sizes& sizes = find_preset(kPresets, name, "las");
  listener_hidden = sizes.listener_hidden;
  pyramid = sizes.pyramid;
  embedding = sizes.embedding;
  hidden = sizes.hidden;
}

Settings LasConfig::settings() {
  Settings all = common_settings();
  const Settings own = {
      integer_setting("features", features, "log-mel bands per frame F", 1, 1024).made_internal(),
      integer_setting("listener_hidden", listener_hidden,
                      "each direction of the listener's BLSTMs R_l", 1, 8192),
      integer_setting("pyramid", pyramid, "pyramid layers P: the speller sees T / 2^P steps", 0, 8),
      integer_setting("embedding", embedding, "character embedding width D", 1, 4096),
      integer_setting("hidden", hidden, "the speller's LSTM state width R", 1, 8192),
      integer_setting("decoder_layers", decoder_layers, "the speller's stacked LSTM layers", 1, 16),
      score_setting(score, "score function NAME[:key=value,...] of h_t and each listener step"),
      choice_setting("initial_state", initial_state, "the speller's first state",
                     {{"zero", InitialState::zero},
                      {"backward", InitialState::backward},
                      {"last", InitialState::last}}),
      number_setting("dropout", dropout, "dropout between listener layers, on embeddings, before output",
                     0, 0.99),
  };
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

RnnConfig LasConfig::speller() const {
  RnnConfig speller;
  speller.apply_attention_defaults(RnnAttention::luong);
  speller.window = WindowKind::global;  // the whole utterance; location-aware moves along it
  speller.embedding = embedding;
  speller.hidden = hidden;
  speller.decoder_layers = decoder_layers;
  speller.encoder_layers = 1 + pyramid;  // the listener's final states, for initial_state
  speller.encoder_hidden = listener_hidden;
  speller.bidirectional = true;
  speller.score = score;
  speller.initial_state = initial_state;
  speller.dropout = dropout;
  speller.source_vocab = 0;
  speller.target_vocab = target_vocab;
  speller.max_length = max_length;
  speller.seed = seed;
  return speller;
}

void LasConfig::check() const {
  attn::check(features >= 1 && listener_hidden >= 1 && pyramid >= 0 && pyramid <= 8, "las",
              "needs features >= 1, listener_hidden >= 1 and 0..8 pyramid layers");
  speller().check();
}

std::unique_ptr<ModelConfig> LasConfig::clone() const { return std::make_unique<LasConfig>(*this); }

std::unique_ptr<Seq2Seq> LasConfig::build() const {
  check();
  return std::make_unique<ListenAttendSpell>(*this);
}

int64_t LasConfig::parameter_count() const {
  // Each BLSTM layer: two directions of W_ih [4R, in], W_hh [4R, R] and two biases [4R].
  const double R = static_cast<double>(listener_hidden);
  auto blstm = [R](double in) { return 2 * (4 * R * (in + R) + 8 * R); };
  double total = blstm(static_cast<double>(features)) + static_cast<double>(pyramid) * blstm(4 * R);
  total += static_cast<double>(speller().decoder_parameter_count());
  return total >= 9.2e18 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(total);
}

}  // namespace attn
