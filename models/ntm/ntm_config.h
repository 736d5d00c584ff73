// The Neural Turing Machine's configuration (Graves, Wayne & Danihelka 2014), and that of the
// LSTM it is compared with.
//
//   arch             ntm, or lstm: the baseline, a stack of LSTMs reading the same bits
//   controller       lstm (the paper's copy experiments, §4.1) or feedforward (one tanh layer:
//                    then the memory is the machine's only state)
//   controller_size  the controller's width (paper, Table 2: one LSTM layer of 100)
//   memory_slots     N rows of memory (paper: 128)
//   memory_width     M numbers per row (paper: 20)
//   read_heads       heads that read each step; one head writes (paper: 1 and 1)
//   max_shift        K: the shift distribution covers -K..K (paper: -1, 0, 1)
//   lstm_layers      the baseline's stacked LSTMs, each controller_size wide
//   memory_init      every memory entry's starting value: a small constant (Collier & Beel 2018,
//                    §4, found it converges fastest of the schemes they tried)
//
// input_width and output_width are the task's (train/data/bit_sequences.h), not options.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "nn/settings.h"

namespace attn {

class SequenceModel;

enum class SequenceModelKind { ntm, lstm };
enum class ControllerKind { lstm, feedforward };

struct NtmConfig {
  SequenceModelKind model = SequenceModelKind::ntm;
  ControllerKind controller = ControllerKind::lstm;
  int64_t input_width = 9;     // the task's input channels: 8 bits and the delimiter (copy)
  int64_t output_width = 8;    // the task's output bits
  int64_t controller_size = 100;
  int64_t memory_slots = 128;  // N
  int64_t memory_width = 20;   // M
  int64_t read_heads = 1;
  int64_t max_shift = 1;       // K
  int64_t lstm_layers = 1;     // the baseline only
  real memory_init = 1e-6;
  uint64_t seed = 1;           // initial weights

  // Every field above, by name: config.json and the command line (input and output widths are
  // internal: they follow the task).
  Settings settings();
  // Throws naming the first setting out of range.
  void check() const;
  std::unique_ptr<SequenceModel> build() const;
  const char* model_name() const { return model == SequenceModelKind::ntm ? "ntm" : "lstm"; }
};

}  // namespace attn
