// The recurrent encoder-decoders' configuration: Bahdanau's and Luong's models, one set of knobs.
//
// `attn train --arch rnn --attention bahdanau` (the default) or `--attention luong` picks whose
// decoder it is, and with it that paper's defaults for everything else, so either name alone is
// the paper's model; each default can then be changed by its own option (the options are
// applied after --attention):
//
//                      bahdanau (Bahdanau et al. 2015)     luong (Luong et al. 2015)
//   cell               GRU                                 LSTM
//   encoder            1 bidirectional layer (§3.2)        2 layers, one direction (§4.1: 4)
//   decoder layers     1                                   2
//   query              s_{t-1}, before the step (§3.1)     h_t, after the step (§3.1)
//   score              additive (App. A.1.2)               general (§3.1)
//   window             global                              local-p, half-width 10 (§3.2)
//   input feeding      (c_t is the GRU's input anyway)     yes (§3.3)
//   initial state      tanh(W_s <-h_1) (App. A.2.2)        the encoder's final states
//
// Luong et al. stacked 4 layers of 1000 units; 2 layers is this default's one departure, for toy
// tasks on a laptop (--encoder-layers 4 --decoder-layers 4 restores it). Sizes come from the
// presets (D embedding, R state width):  micro 16, 16   tiny 64, 128   small 128, 256
//                                        base 256, 512 (the size of the PyTorch tutorial's model)
// A bidirectional encoder gives each direction R / 2 units unless --encoder-hidden says
// otherwise, so the memory is R wide like the decoder's state, as OpenNMT-py's brnn does: every
// score function then fits, dot included. With --encoder-hidden R_e the memory is 2 R_e wide.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/seq2seq/model_config.h"
#include "nn/attention/local_window.h"
#include "nn/recurrent/cell.h"

namespace attn {

enum class RnnAttention {
  bahdanau,  // the previous state s_{t-1} queries, then the cell reads [y_{t-1}; c_t]
  luong,     // the cell steps first, then its new state h_t queries
};

// How the decoder's first state s_0 is made from the encoder.
enum class InitialState {
  zero,      // s_0 = 0
  copy,      // the encoder's final states, layer by layer (Sutskever et al. 2014; Luong)
  backward,  // s_0 = tanh(W_s <-h_1): the backward direction's first state (Bahdanau, A.2.2)
  last,      // s_0 = tanh(W_s [->h_S; <-h_1]): both directions' last (the PyTorch tutorial's)
};

struct RnnConfig : ModelConfig {
  RnnAttention attention = RnnAttention::bahdanau;  // whose decoder; sets the defaults below
  CellKind cell = CellKind::gru;                    // GRU (Cho et al. 2014) or LSTM
  int64_t embedding = 128;                          // D, word embedding width
  int64_t hidden = 256;                             // R, the decoder's state width (Bahdanau: 1000)
  int64_t encoder_hidden = 0;              // each encoder direction's width; 0: R / directions
  int64_t encoder_layers = 1;              // stacked encoder layers
  int64_t decoder_layers = 1;              // stacked decoder layers
  bool bidirectional = true;               // the encoder reads both ways (Bahdanau §3.2)
  std::string score = "additive";          // score function (nn/attention/registry.h)
  WindowKind window = WindowKind::global;  // Luong §3.2: local-m, local-p
  int64_t window_size = 10;                // Luong's D: the window is [p_t - D, p_t + D]
  bool input_feed = false;                 // Luong §3.3: h~_{t-1} joins the next step's input
  InitialState initial_state = InitialState::backward;
  real dropout = 0.2;  // on embeddings, between layers and before the output

  // The paper's defaults for everything but the sizes (the table above).
  void apply_attention_defaults(RnnAttention style);

  // Each encoder direction's width R_e, and the memory's width M = directions * R_e.
  int64_t encoder_width() const;
  int64_t memory_width() const;
  int64_t directions() const { return bidirectional ? 2 : 1; }

  std::string arch() const override { return "rnn"; }
  int64_t model_width() const override { return hidden; }
  Settings settings() override;
  std::vector<std::string> presets() const override;
  void apply_preset(const std::string& name) override;
  std::unique_ptr<ModelConfig> clone() const override;
  void check() const override;
  std::unique_ptr<Seq2Seq> build() const override;
  int64_t parameter_count() const override;
  // Everything but the source embedding and the encoder: what a model with its own encoder
  // (models/las/) adds to it.
  int64_t decoder_parameter_count() const;
};

}  // namespace attn
