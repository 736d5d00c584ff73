// Training and testing the Neural Turing Machine (and its LSTM baseline) on copy and repeat
// copy: what `attn ntm` runs.
//
// Data that cannot rot: every sequence is generated (train/data/bit_sequences.h); step s trains
// on sequences (s-1) B .. s B - 1 of the training seed, so a run never sees one twice and a
// resumed run sees exactly what it would have seen.
//
// Training: binary cross-entropy of the answer bits (fused with the sigmoid), Adam (Kingma & Ba
// 2015) at 1e-3 on batches of 16, halved every 1,000 steps, the gradients' global norm clipped
// to 10. Graves et al. 2014 trained with RMSProp at 1e-4 on single sequences; Collier & Beel
// 2018 (§4) reached the same with Adam and batches, which the CPU runs faster. At a constant
// 1e-3 a machine that had learnt to copy forgot it again after a few hundred more steps (loss
// spikes, then a collapse); the halving keeps what it learnt. Every eval_interval steps: the bit errors per
// sequence on fixed validation sequences of the longest training length; the weights with the
// fewest are kept.
//
// The model directory: config.json ({"model", "task", "training"}), model.safetensors (the best
// weights), checkpoint.safetensors, metrics.jsonl, loss.svg; a run resumes exactly, and a changed
// setting on resume is refused.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "models/ntm/ntm_config.h"
#include "models/ntm/sequence_model.h"
#include "nn/settings.h"
#include "train/data/bit_sequences.h"

namespace attn {

struct NtmOptions {
  NtmConfig model;
  BitTaskSpec task;
  std::string out_dir;

  // ---- optimisation (saved with the model) ----
  real learning_rate = 1e-3;     // Adam
  int64_t decay_steps = 1000;    // the rate halves every this many steps (0: constant)
  int64_t batch_size = 16;
  real clip_norm = 10;
  int64_t eval_interval = 250;   // steps between validations and checkpoints
  int64_t valid_sequences = 128; // at the task's max_length, the same at every validation
  uint64_t seed = 1;

  // ---- this run only ----
  int64_t steps = 0;     // stop after this many steps (0: no limit) ...
  double minutes = 0;    // ... or minutes (0: no limit); neither: 2,000 steps
  int64_t threads = 1;
  bool quiet = false;
  std::set<std::string> explicit_settings;  // the options the user gave (resume checks them)

  Settings task_settings();
  Settings saved_settings();
  Settings run_settings();
};

struct NtmTrainResult {
  double best_bit_errors = -1;  // per validation sequence
  int64_t steps = 0;
  int64_t sequences = 0;        // trained on, over all runs
  double seconds = 0;           // this run's
};

NtmTrainResult train_ntm(NtmOptions options, std::ostream& log);

// A trained model with what it was trained on.
struct NtmModel {
  NtmConfig config;
  BitTaskSpec task;
  std::unique_ptr<SequenceModel> model;
  static NtmModel load(const std::string& dir);
};

// Bit errors on `count` sequences of exactly `length` vectors (repeat copy: repeats drawn from the
// task's range) from the source seeded `seed`, run in batches of `batch_size`. Sequence i is
// test_sequence(task, length, seed, i).
struct BitErrorReport {
  int64_t length = 0;
  int64_t sequences = 0;
  double errors_per_sequence = 0;  // mean bits wrong per sequence
  double bit_error_rate = 0;       // bits wrong / answer bits
  double perfect = 0;              // share of sequences without an error
  std::vector<int64_t> failed;     // the numbers of the sequences with an error, in order
};
BitSequence test_sequence(const BitTaskSpec& task, int64_t length, uint64_t seed, int64_t index);
BitErrorReport measure_bit_errors(SequenceModel& model, const BitTaskSpec& task, int64_t length,
                                  int64_t count, uint64_t seed, int64_t batch_size = 32);

}  // namespace attn
