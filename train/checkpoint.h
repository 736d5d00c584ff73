// Training checkpoints: everything needed to continue a run exactly where it stopped.
//
// One file, DIR/checkpoint.safetensors, holds
//   "<name>"            every model parameter             (as model.safetensors)
//   "adam.m.<name>"     the optimiser's tensors per parameter, as it names them
//   "adam.v.<name>"     (Adam: first and second moments; optim/optimizer.h, OptimizerState)
//   "average.<name>"    with weight averaging, the running sums (optim/weight_average.h)
//   metadata "state"    JSON: step, epoch, position in the epoch, the optimiser's counters
//                       ("adam_step", "average_step"), the random generators' states, the best
//                       validation scores so far
// Being one file written atomically (atomic_file.h), a crash while saving leaves the previous
// checkpoint whole: there is no moment when weights and optimiser state disagree.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "models/seq2seq/seq2seq.h"
#include "train/io/json.h"
#include "train/optim/optimizer.h"
#include "train/optim/weight_average.h"

namespace attn {

struct TrainingState {
  int64_t step = 0;                    // optimiser steps taken
  int64_t epoch = 0;                   // current pass over the data, from 0
  int64_t batch_in_epoch = 0;          // batches of this epoch already trained on
  std::array<uint64_t, 4> epoch_generator{};  // data-order generator at the start of this epoch
  double best_score = -1;              // best validation score (BLEU, ...) so far (-1: none yet)
  double best_loss = -1;               // best validation loss so far (-1: none yet)
  double elapsed_seconds = 0;          // training time over all runs
  int64_t target_tokens = 0;           // target tokens trained on over all runs

  Json to_json() const;
  static TrainingState from_json(const Json& json);
};

// `average` (nullptr: the run does not average its weights) is saved and restored with the rest.
void save_checkpoint(const std::string& path, Seq2Seq& model, const Optimizer& optimizer,
                     const TrainingState& state, const WeightAverage* average = nullptr);
// Restores the model's weights and generator, the optimiser's state and the weight average's;
// returns the training state. Errors name the file and, for a tensor that does not fit, the
// tensor and both shapes.
TrainingState load_checkpoint(const std::string& path, Seq2Seq& model, Optimizer& optimizer,
                              WeightAverage* average = nullptr);

// The same for any module whose one generator (initial weights, dropout) is `generator`: models
// that are not encoder-decoders (the Neural Turing Machine) save and resume alike.
void save_checkpoint(const std::string& path, Module& model, const Generator& generator,
                     const Optimizer& optimizer, const TrainingState& state,
                     const WeightAverage* average = nullptr);
TrainingState load_checkpoint(const std::string& path, Module& model, Generator& generator,
                              Optimizer& optimizer, WeightAverage* average = nullptr);

}  // namespace attn
