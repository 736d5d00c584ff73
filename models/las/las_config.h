// Listen, Attend and Spell's configuration (Chan, Jaitly, Le & Vinyals 2016).
//
//   features        F   log-mel bands per frame (set by the program from the features it makes)
//   listener_hidden R_l each direction of every listener BLSTM (paper: 256)
//   pyramid         P   pyramid layers above the first: the speller attends over T / 2^P steps
//                       (paper: 3, so one step per 80 ms of 10 ms frames)
//   embedding       D   character embedding
//   hidden          R   the speller's LSTM state (paper: 2 layers of 512)
//   decoder_layers      the speller's stacked LSTM layers
//   score               the attention's score: location-aware (Chorowski et al. 2015) by default,
//                       which knows where the last character looked; any registered score fits
//   initial_state       the speller's first state: zero, or from the listener's final states
//                       (backward: the top layer's backward direction, which has heard the
//                       whole utterance and ends where spelling starts; last: both directions)
//   dropout             between listener layers, on character embeddings, before the output
//
// Audio needs no source vocabulary: source_vocab stays 0. speller() gives the recurrent attention
// decoder's configuration (models/rnn/rnn_config.h) that the speller is built from.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/rnn/rnn_config.h"
#include "models/seq2seq/model_config.h"

namespace attn {

struct LasConfig : ModelConfig {
  int64_t features = 40;         // F
  int64_t listener_hidden = 64;  // R_l, each direction (the "tiny" preset's sizes)
  int64_t pyramid = 3;           // P
  int64_t embedding = 32;        // D
  int64_t hidden = 128;          // R
  int64_t decoder_layers = 1;
  std::string score = "location_aware";
  InitialState initial_state = InitialState::backward;
  real dropout = 0.2;

  std::string arch() const override { return "las"; }
  int64_t model_width() const override { return hidden; }
  Settings settings() override;
  std::vector<std::string> presets() const override;  // micro (tests), tiny, small
  void apply_preset(const std::string& name) override;
  std::unique_ptr<ModelConfig> clone() const override;
  void check() const override;
  std::unique_ptr<Seq2Seq> build() const override;
  int64_t parameter_count() const override;

  // The speller: Luong's decoder (the cell steps, then its state h_t queries; input feeding)
  // over a memory of 2 R_l wide listener states, with this config's sizes and score.
  RnnConfig speller() const;
};

}  // namespace attn
