// The recurrent models' configuration (see rnn_config.h).
#include "models/rnn/rnn_config.h"

#include <limits>

#include "models/rnn/bahdanau.h"
#include "models/rnn/luong.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"

namespace attn {

namespace {

struct Sizes {
  const char* name;
  int64_t embedding, hidden;
};
constexpr Sizes kPresets[] = {
    {"micro", 16, 16},  // tests and smoke runs
    {"tiny", 64, 128},
    {"small", 128, 256},
    {"base", 256, 512},  // the PyTorch tutorial's sizes (Bahdanau et al. used 620 and 1000)
};

const char* name_of(RnnAttention style) {
  return style == RnnAttention::bahdanau ? "bahdanau" : "luong";
}

}  // namespace

void RnnConfig::apply_attention_defaults(RnnAttention style) {
  attention = style;
  const bool bahdanau = style == RnnAttention::bahdanau;
  cell = bahdanau ? CellKind::gru : CellKind::lstm;
  encoder_layers = decoder_layers = bahdanau ? 1 : 2;
  bidirectional = bahdanau;
  score = bahdanau ? "additive" : "general";
  window = bahdanau ? WindowKind::global : WindowKind::predictive;
  window_size = 10;
  input_feed = !bahdanau;
  initial_state = bahdanau ? InitialState::backward : InitialState::copy;
}

int64_t RnnConfig::encoder_width() const {
  return encoder_hidden > 0 ? encoder_hidden : hidden / directions();
}

int64_t RnnConfig::memory_width() const { return directions() * encoder_width(); }

std::vector<std::string> RnnConfig::presets() const { return preset_names(kPresets); }

void RnnConfig::apply_preset(const std::string& name) {
  const Sizes& sizes = find_preset(kPresets, name, "rnn");
  embedding = sizes.embedding;
  hidden = sizes.hidden;
}

Settings RnnConfig::settings() {
  // Declared before the settings it gives defaults to: settings are applied in this order, from
  // the command line and from config.json alike, so an explicit --cell still wins.
  Setting attention_setting = custom_setting(
      "attention", SettingKind::text,
      "whose decoder, with that paper's defaults for the options below",
      [this] { return std::string(name_of(attention)); },
      [this](const std::string& text) {
        if (text != "bahdanau" && text != "luong")
          throw Error("must be one of bahdanau, luong, got '" + text + "'");
        apply_attention_defaults(text == "bahdanau" ? RnnAttention::bahdanau : RnnAttention::luong);
      });
  attention_setting.choices = {"bahdanau", "luong"};
  Settings all = common_settings();
  const Settings own = {
      attention_setting,
      choice_setting("cell", cell, "recurrent cell",
                     {{"gru", CellKind::gru}, {"lstm", CellKind::lstm}}),
      integer_setting("embedding", embedding, "word embedding width D", 1, 1 << 14),
      integer_setting("hidden", hidden, "the decoder's state width R", 1, 1 << 14),
      integer_setting("encoder_hidden", encoder_hidden,
                      "each encoder direction's width (0: R / directions)", 0, 1 << 14),
      integer_setting("encoder_layers", encoder_layers, "stacked encoder layers", 1, 16),
      integer_setting("decoder_layers", decoder_layers, "stacked decoder layers", 1, 16),
      flag_setting("bidirectional", bidirectional, "the encoder reads both ways"),
      score_setting(score, "score function NAME[:key=value,...], listed below"),
      choice_setting("window", window, "Luong's local attention around p_t (§3.2), or none",
                     {{"global", WindowKind::global},
                      {"local-m", WindowKind::monotonic},
                      {"local-p", WindowKind::predictive}}),
      integer_setting("window_size", window_size, "local window half-width (Luong's D)", 1,
                      1 << 12),
      flag_setting("input_feed", input_feed, "Luong's input feeding of h~_{t-1}"),
      choice_setting("initial_state", initial_state, "the decoder's first state",
                     {{"zero", InitialState::zero},
                      {"copy", InitialState::copy},
                      {"backward", InitialState::backward},
                      {"last", InitialState::last}}),
      number_setting("dropout", dropout, "dropout on embeddings, between layers, before output", 0,
                     0.99),
  };
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

void RnnConfig::check() const {
  const std::string op = "rnn";
  const std::string R = std::to_string(hidden), M = std::to_string(memory_width());
  attn::check(!bidirectional || encoder_hidden > 0 || hidden % 2 == 0, op,
              "a bidirectional encoder gives each direction R / 2 units, and --hidden " + R +
                  " is odd; make it even or set --encoder-hidden");
  attn::check(!input_feed || attention == RnnAttention::luong, op,
              "--input-feed is Luong's (§3.3); Bahdanau's decoder reads c_t at every step anyway");
  attn::check(initial_state != InitialState::backward || bidirectional, op,
              "--initial-state backward reads the backward direction; it needs --bidirectional");
  attn::check(initial_state != InitialState::copy ||
                  (encoder_layers == decoder_layers && memory_width() == hidden),
              op,
              "--initial-state copy needs as many encoder as decoder layers (" +
                  std::to_string(encoder_layers) + " and " + std::to_string(decoder_layers) +
                  ") and encoder states as wide as the decoder's (" + M + " and " + R + ")");
  // Whether the score takes queries R wide and keys M wide: try it on zeros.
  ScoreSpec spec;
  spec.query_dim = hidden;
  spec.key_dim = memory_width();
  try {
    const std::unique_ptr<ScoreFunction> made = make_score_function(score, spec);
    const Variable keys = made->prepare_keys(Variable(Tensor::zeros({1, 1, memory_width()})));
    made->scores(Variable(Tensor::zeros({1, 1, hidden})), keys, ScoreContext());
  } catch (const Error& error) {
    throw Error(op + ": --score " + score + " does not fit queries R = " + R +
                " wide and keys M = " + M + " wide (" + error.what() +
                "); use a score that maps widths (general, additive) or set --encoder-hidden");
  }
}

std::unique_ptr<ModelConfig> RnnConfig::clone() const { return std::make_unique<RnnConfig>(*this); }

std::unique_ptr<Seq2Seq> RnnConfig::build() const {
  if (attention == RnnAttention::bahdanau) return std::make_unique<BahdanauModel>(*this);
  return std::make_unique<LuongModel>(*this);
}

namespace {

// A cell of G gates from width `in` to width `out`: W_ih [G out, in], W_hh [G out, out] and two
// biases [G out] (nn/recurrent/cell.h). Counted in double: a hostile config's count may pass
// 2^63, which is only "too large".
double cell_parameters(CellKind cell, double in, double out) {
  const double G = cell == CellKind::gru ? 3 : 4;
  return G * out * (in + out) + 2 * G * out;
}

int64_t clamped(double total) {
  return total >= 9.2e18 ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(total);
}

}  // namespace

int64_t RnnConfig::parameter_count() const {
  const double D = static_cast<double>(embedding), M = static_cast<double>(memory_width());
  const double Re = static_cast<double>(encoder_width()), K = static_cast<double>(directions());
  double total = static_cast<double>(source_vocab) * D;  // the source embedding table
  for (int64_t l = 0; l < encoder_layers; ++l)
    total += K * cell_parameters(cell, l == 0 ? D : M, Re);
  return clamped(total + static_cast<double>(decoder_parameter_count()));
}

int64_t RnnConfig::decoder_parameter_count() const {
  const double D = static_cast<double>(embedding), R = static_cast<double>(hidden);
  const double Re = static_cast<double>(encoder_width()), M = static_cast<double>(memory_width());
  const double V = static_cast<double>(target_vocab);
  const double decoder_layers_count = static_cast<double>(decoder_layers);

  double total = V * D;  // the target embedding table
  if (initial_state == InitialState::backward || initial_state == InitialState::last) {
    const double in = initial_state == InitialState::backward ? Re : M;
    total += in * decoder_layers_count * R + decoder_layers_count * R;  // W_s and its bias
  }
  ScoreSpec spec;
  spec.query_dim = hidden;
  spec.key_dim = memory_width();
  total += static_cast<double>(make_score_function(score, spec)->parameter_count());
  if (window == WindowKind::predictive) total += R * R + R;  // W_p, v_p
  const bool bahdanau = attention == RnnAttention::bahdanau;
  const double first_input = bahdanau ? D + M : D + (input_feed ? R : 0);
  total += cell_parameters(cell, first_input, R) +
           (decoder_layers_count - 1) * cell_parameters(cell, R, R);
  if (bahdanau)
    total += (R + M + D) * V + V;  // W_out [V, R + M + D] and its bias
  else
    total += (M + R) * R + R * V + V;  // W_c [R, M + R]; W_s [V, R] and its bias
  return clamped(total);
}

}  // namespace attn
