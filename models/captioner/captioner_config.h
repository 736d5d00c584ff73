// The image captioner's configuration (Xu, Ba, Kiros, Cho, Courville, Salakhutdinov, Zemel &
// Bengio 2015, "Show, Attend and Tell").
//
//   image_channels, image_height, image_width   what the data is (set by the program)
//   encoder_blocks  n    conv 3x3 + ReLU (+ max pool 2x2) blocks (nn/vision/cnn_encoder.h),
//                        each twice as wide as the one before, the last encoder_width D wide
//   encoder_pools   p    the first p blocks pool: the grid is (H / 2^p) x (W / 2^p)
//   embedding       m    word embedding E y (the paper's m)
//   hidden          n    the LSTM's state (the paper's n)
//   positions            a learned vector per grid cell added to its annotation, p_i [L, D]: not
//                        in the paper (see show_attend_tell.h for why a small CNN needs it)
//   pooling              attention: soft attention over the L cells (§4.2), any registered
//                        score; mean: every cell weighs 1/L (the baseline without attention)
//   score                f_att of the decoder state and each cell: the paper's MLP is "additive"
//   gate                 z_t = beta_t sum_i alpha_ti a_i, beta_t = sigmoid(f_beta(h_{t-1})) (§4.2.1)
//   attention_penalty    lambda of the doubly stochastic attention (§4.2.1, equation 14)
//   deep_output          linear: L_o(E y + L_h h + L_z z), the paper's equation 7; tanh:
//                        L_o(tanh(E y + L_h h + L_z z)), as the authors' code computes it
//   dropout              on the deep output before L_o (the paper uses dropout, §5.2)
//
// Images need no source vocabulary: source_vocab stays 0.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/seq2seq/model_config.h"

namespace attn {

enum class CaptionPooling {
  attention,  // alpha_t = softmax(f_att(h_{t-1}, a_i)): where to look depends on the word
  mean,       // alpha_ti = 1 / L always: the image summarised once, the baseline
};

enum class DeepOutput {
  linear,  // logits linear in E y, h_t and z_t, as equation 7 is printed
  tanh,    // one hidden layer between them and the logits (Pascanu et al. 2014's deep output)
};

struct CaptionerConfig : ModelConfig {
  int64_t image_channels = 1;   // C: 1 grey, 3 colour
  int64_t image_height = 64;    // H
  int64_t image_width = 64;     // W
  int64_t encoder_blocks = 3;   // n
  int64_t encoder_pools = 3;    // p: the grid is H / 2^p x W / 2^p
  int64_t encoder_width = 64;   // D: the annotation vectors' width
  int64_t embedding = 64;       // m (paper: 512)
  int64_t hidden = 128;         // n (paper: 1800 on Flickr30k ... 1000 is common)
  bool positions = true;        // a_i + p_i: where each cell is (not in the paper)
  CaptionPooling pooling = CaptionPooling::attention;
  std::string score = "additive";  // f_att, the paper's "multilayer perceptron"
  bool gate = true;                // beta_t (§4.2.1)
  real attention_penalty = 1;      // lambda (§4.2.1); 0: off
  DeepOutput deep_output = DeepOutput::linear;
  real dropout = 0.2;

  std::string arch() const override { return "show_attend_tell"; }
  int64_t model_width() const override { return hidden; }
  Settings settings() override;
  std::vector<std::string> presets() const override;  // micro (tests), tiny, small
  void apply_preset(const std::string& name) override;
  std::unique_ptr<ModelConfig> clone() const override;
  void check() const override;
  std::unique_ptr<Seq2Seq> build() const override;
  int64_t parameter_count() const override;

  // Each encoder block's width, the last one D: ..., D/4, D/2, D (at least 8 each).
  std::vector<int64_t> encoder_channels() const;
  int64_t grid_height() const;  // h = H / 2^p
  int64_t grid_width() const;   // w = W / 2^p
};

}  // namespace attn
