// What examples 04 (copy), 05 (reverse) and 07 (recurrent attention) share: all but their data
// and their model. The command line, the model they train, the training loop and how they show
// what it learnt.
//
//   --arch NAME      transformer (04, 05) or rnn: Bahdanau's recurrent model (07)
//   --score NAME     any registered score function, with its settings if any
//                    (nn/attention/registry.h: "alibi", "location_aware:width=5"); default
//                    the architecture's own: scaled_dot, or additive for rnn
//   --steps N        training steps
//   --seed N         seeds the model's weights and dropout, and the training data
//   --norm pre|post  the Transformer's LayerNorm placement (nn/transformer/layer_config.h);
//                    default post, as the paper
//   --help           the usage line
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "models/seq2seq/model_config.h"
#include "nn/transformer/layer_config.h"
#include "train/toy_training.h"

namespace attn {

struct ToyExampleOptions {
  std::string arch = "transformer";          // --arch
  std::string score;                         // --score; empty: the architecture's default
  int64_t steps = 0;                         // --steps (each example sets its default)
  uint64_t seed = 1;                         // --seed
  NormPlacement norm = NormPlacement::post;  // --norm
};

// Reads the options over `defaults`; on a bad or unknown argument prints the usage line to
// stderr and exits with status 2 (--help: to stdout, status 0).
ToyExampleOptions parse_toy_options(int argc, char** argv, const ToyExampleOptions& defaults);

// The examples' model for a task's vocabulary, no dropout (every batch is fresh):
//   transformer  D 64, 4 heads, F 128, one encoder and one decoder layer
//   rnn          Bahdanau's: E 32, a bidirectional GRU encoder of 2 x 32, a GRU decoder of 64
std::unique_ptr<ModelConfig> toy_model_config(const ToyTask& task,
                                              const ToyExampleOptions& options);

// Trains with a progress line every steps/10 steps: "step 100  loss 1.234  (3.2 s)".
void train_with_progress(Seq2Seq& model, int64_t model_width, const ToyTask& task,
                         const ToyTrainingOptions& training);

// Greedy-decodes `count` fresh sequences and prints "source -> prediction  ok|WRONG" for each.
void print_predictions(Seq2Seq& model, const ToyTask& task, int64_t count, Generator& generator);

// Decodes one fresh sequence and prints the last attention layer's cross-attention, averaged
// over heads (a recurrent model has one of each), as a text heatmap: source tokens across,
// generated tokens down.
void print_cross_attention(Seq2Seq& model, const ToyTask& task, Generator& generator);

// The whole example: reads the options over `defaults`, trains the model on
// `task` with fresh batches, prints predictions and the cross-attention of fresh strings, and
// last "<name>: token accuracy 99.8%" over 1000 of them. Returns 0 when that is at least 99%.
int run_toy_example(const std::string& name, const ToyTask& task,
                    const ToyExampleOptions& defaults, int argc, char** argv);

}  // namespace attn
