// Training a translation model end to end: the loop behind `attn train`, for any architecture
// of the model registry.
//
//   1. read the parallel corpus; learn the tokenizers and vocabularies (or reload them)
//   2. encode every pair as ids; skip pairs with a side longer than max_length tokens (counted;
//      a warning line when more than 1% of the training or validation pairs are skipped)
//   3. write DIR/config.json: the model (architecture and settings), both sides' tokenizers and
//      vocabularies, the decoding length limit learned from the pairs kept (length_limit.h),
//      and the training settings a resumed run keeps
//   4. run the training loop (training_loop.h) on batches of similar length under a token
//      budget, validating with the loss, perplexity and BLEU (greedy decoding)
//
// The run stops at the first of: `steps` optimiser steps, `epochs` passes, `minutes` of
// training. A directory that already holds a checkpoint is resumed exactly: same batches, same
// dropout masks, same optimiser state, so the loss curve continues as if never interrupted.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <set>
#include <string>

#include "models/seq2seq/model_config.h"
#include "nn/settings.h"
#include "tensor/real.h"
#include "train/training_loop.h"

namespace attn {

struct TrainOptions {
  // ---- data: two line-aligned files, or one tab-separated file ----
  std::string source_path, target_path, tsv_path;
  std::string valid_source_path, valid_target_path, valid_tsv_path;  // optional
  std::string out_dir;                 // the model directory

  // ---- the model: any architecture of models/registry.h with its settings. Its vocabulary
  // sizes, longest sequence and seed are set from the data and the options below.
  // Null: the Transformer at its default preset ("tiny").
  std::shared_ptr<const ModelConfig> model;

  // ---- tokens (saved with the model) ----
  std::string tokenizer = "bpe";       // char | word | bpe
  int64_t bpe_merges = 8000;           // merges learned per language
  int64_t min_frequency = 1;           // rarer tokens become <unk>
  int64_t max_length = 100;            // pairs with a longer side (in tokens) are skipped

  // ---- optimisation (saved with the model) ----
  int64_t batch_tokens = 4096;         // padded tokens per batch
  std::string schedule = "noam";       // noam (Vaswani §5.3) | constant
  int64_t warmup = 4000;               // Noam warm-up steps
  real learning_rate = 0;              // constant: the rate; noam: the factor (0: 1 and 5e-4)
  real label_smoothing = 0.1;          // Vaswani §5.4
  real clip_norm = 1.0;                // gradient clipping by global norm (0: off)
  double average_decay = 0;            // the weights' moving average (optim/weight_average.h)
  uint64_t seed = 1;                   // model init, dropout and data order

  // ---- this run only ----
  int64_t steps = 0;                   // stop after this many steps (0: no limit)
  int64_t epochs = 0;                  // ... or passes over the data (0: no limit)
  double minutes = 0;                  // ... or minutes of training (0: no limit)
                                       // none of the three: 10 epochs
  int64_t threads = 0;                 // 0: ATTN_NUM_THREADS or all cores
  int64_t eval_interval = 1000;        // steps between validations and checkpoints
  int64_t log_interval = 100;          // steps between log lines (when not on a terminal)
  int64_t valid_bleu_max = 0;          // validation sentences decoded for BLEU (0: all)
  bool live_progress = false;          // one status line rewritten in place (for a terminal)
  // Names of the settings (model or training) the user set explicitly, on the command line. A
  // resumed run refuses any whose value differs from the run's saved one, instead of ignoring it.
  std::set<std::string> explicit_settings;

  // The settings saved in config.json ("training") and restored when a run resumes.
  Settings saved_settings();
  // The settings of this run only (budgets, threads, intervals).
  Settings run_settings();
};

// Trains (or resumes), logging to `log`; throws with a one-line message on bad input.
TrainResult train_translation_model(const TrainOptions& options, std::ostream& log);

}  // namespace attn
