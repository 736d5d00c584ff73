// The image captioner's settings and sizes (see captioner_config.h).
#include "models/captioner/captioner_config.h"

#include <algorithm>

#include "models/captioner/show_attend_tell.h"
#include "nn/attention/registry.h"
#include "tensor/error.h"

namespace attn {

namespace {

struct Sizes {
  const char* name;
  int64_t encoder_blocks, encoder_pools, encoder_width, embedding, hidden;
};

constexpr Sizes kPresets[] = {
    {"micro", 2, 2, 8, 8, 16},     // tests
    {"tiny", 3, 3, 32, 32, 64},    // generated shapes (32x32 -> a 4x4 grid), the curriculum
    {"small", 3, 3, 64, 64, 128},  // handwritten-digit scenes (64x64 -> an 8x8 grid)
};

}  // namespace

std::vector<std::string> CaptionerConfig::presets() const { return preset_names(kPresets); }

void CaptionerConfig::apply_preset(const std::string& name) {
  const Sizes& sizes = find_preset(kPresets, name, "show_attend_tell");
  encoder_blocks = sizes.encoder_blocks;
  encoder_pools = sizes.encoder_pools;
  encoder_width = sizes.encoder_width;
  embedding = sizes.embedding;
  hidden = sizes.hidden;
}

Settings CaptionerConfig::settings() {
  Settings all = common_settings();
  const Settings own = {
      integer_setting("image_channels", image_channels, "image channels C (1 grey, 3 colour)",
                      1, 3)
          .made_internal(),
      integer_setting("image_height", image_height, "image rows H", 1, 4096).made_internal(),
      integer_setting("image_width", image_width, "image columns W", 1, 4096).made_internal(),
      integer_setting("encoder_blocks", encoder_blocks, "conv 3x3 + ReLU blocks n", 1, 8),
      integer_setting("encoder_pools", encoder_pools,
                      "the first p blocks end with a 2x2 max pool: the grid is H/2^p x W/2^p", 0, 8),
      integer_setting("encoder_width", encoder_width, "annotation vectors' width D", 1, 4096),
      integer_setting("embedding", embedding, "word embedding width m", 1, 4096),
      integer_setting("hidden", hidden, "LSTM state width n", 1, 8192),
      flag_setting("positions", positions,
                   "a learned position vector added to each cell's annotation (not in the paper)"),
      choice_setting("pooling", pooling,
                     "attention over the grid, or mean (every cell 1/L: the baseline)",
                     {{"attention", CaptionPooling::attention}, {"mean", CaptionPooling::mean}}),
      score_setting(score, "score function NAME[:key=value,...] of h_{t-1} and each cell"),
      flag_setting("gate", gate, "gating scalar beta_t on the context (§4.2.1)"),
      number_setting("attention_penalty", attention_penalty,
                     "lambda of the doubly stochastic attention (§4.2.1; 0: off)", 0, 1000),
      choice_setting("deep_output", deep_output,
                     "linear: L_o(E y + L_h h + L_z z) (equation 7); tanh: L_o(tanh(...)), the "
                     "authors' code",
                     {{"linear", DeepOutput::linear}, {"tanh", DeepOutput::tanh}}),
      number_setting("dropout", dropout, "dropout before the output layer", 0, 0.99),
  };
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

std::vector<int64_t> CaptionerConfig::encoder_channels() const {
  std::vector<int64_t> channels(static_cast<size_t>(encoder_blocks));
  int64_t width = encoder_width;
  for (size_t n = channels.size(); n-- > 0; width /= 2) channels[n] = std::max<int64_t>(width, 8);
  channels.back() = encoder_width;
  return channels;
}

int64_t CaptionerConfig::grid_height() const { return image_height >> encoder_pools; }
int64_t CaptionerConfig::grid_width() const { return image_width >> encoder_pools; }

void CaptionerConfig::check() const {
  attn::check(encoder_pools <= encoder_blocks, "show_attend_tell",
              "encoder_pools (" + std::to_string(encoder_pools) + ") must be at most encoder_blocks (" +
                  std::to_string(encoder_blocks) + ")");
  attn::check(grid_height() >= 1 && grid_width() >= 1, "show_attend_tell",
              std::to_string(encoder_pools) + " pools halve a " + std::to_string(image_height) +
                  "x" + std::to_string(image_width) + " image to nothing; use fewer");
  ScoreSpec spec;
  spec.query_dim = hidden;
  spec.key_dim = encoder_width;
  make_score_function(score, spec);  // throws naming the score if it cannot serve these widths
}

std::unique_ptr<ModelConfig> CaptionerConfig::clone() const {
  return std::make_unique<CaptionerConfig>(*this);
}

std::unique_ptr<Seq2Seq> CaptionerConfig::build() const {
  check();
  return std::make_unique<ShowAttendTell>(*this);
}

int64_t CaptionerConfig::parameter_count() const {
  int64_t count = 0, in = image_channels;
  for (int64_t out : encoder_channels()) {
    count += out * in * 9 + out;  // 3x3 kernels and biases
    in = out;
  }
  const int64_t D = encoder_width, m = embedding, n = hidden, V = target_vocab;
  count += 2 * (D * n + n);                            // init_h, init_c
  count += V * m;                                      // E
  count += 4 * n * (m + D) + 4 * n * n + 2 * 4 * n;    // the LSTM
  if (gate) count += n + 1;                            // f_beta
  if (positions) count += grid_height() * grid_width() * D;  // p_i
  count += m * n + m * D + V * m + V;                  // L_h, L_z, L_o and its bias
  if (pooling == CaptionPooling::attention) {
    ScoreSpec spec;
    spec.query_dim = n;
    spec.key_dim = D;
    count += make_score_function(score, spec)->parameter_count();
  }
  return count;
}

}  // namespace attn
