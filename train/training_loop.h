// The training loop, for any model of the interface (models/seq2seq/seq2seq.h) and any data
// (train/data/training_data.h): what `attn train` runs, and every later task's training.
//
//   per epoch: the data's batches, in an order drawn from a seeded generator
//   per batch: the shared training step (step.h): teacher-forced loss, backward, clipping, the
//              schedule's learning rate, an optimiser step (Adam with Vaswani et al. 2017, §5.3
//              settings, unless the caller chooses another)
//   every eval_interval steps, and at the end: evaluate (validation loss and a score), keep the
//              best weights (highest score; without one, lowest loss) in DIR/model.safetensors,
//              write DIR/checkpoint.safetensors. With average_decay, the weights evaluated and
//              kept are the moving average of the trained ones (optim/weight_average.h)
//   stop at the first of: `steps` optimiser steps, `epochs` passes, `minutes` of training
//
// A directory that already holds a checkpoint is resumed exactly: same batches, same dropout
// masks, same optimiser state, so the loss curve continues as if never interrupted. What the
// model is and how it was configured is the caller's to save (config.json), and the caller holds
// the directory's lock (train/io/directory_lock.h) from before it writes anything.
//
// Divergence: a step whose loss or any gradient is not finite is logged and not applied
// (step.h); max_bad_steps of them in a row stop the run with an error. No weight that is not
// finite is ever saved, so the directory keeps its last good checkpoint.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "models/seq2seq/seq2seq.h"
#include "train/data/training_data.h"
#include "train/optim/schedule.h"
#include "train/step.h"

namespace attn {

// One validation: loss per target token and a score, -1 where there is none.
struct EvalRecord {
  int64_t step = 0;
  double loss = -1;   // validation cross-entropy per token (-1: none)
  double score = -1;  // higher is better, 0..100: BLEU, or bAbI's accuracy (-1: none)
};

// The optimiser a run trains with, made for the model's parameters.
using MakeOptimizer = std::function<std::unique_ptr<Optimizer>(NamedParameters parameters)>;

// Validates the model at `step`; a record with loss -1 means there is no validation data (the
// latest weights are then kept as the best).
using Evaluate = std::function<EvalRecord(int64_t step)>;

struct LoopOptions {
  std::string out_dir;           // model.safetensors, checkpoint.safetensors, metrics, loss.svg
  int64_t steps = 0;             // stop after this many steps (0: no limit)
  int64_t epochs = 0;            // ... or passes over the data (0: no limit)
  double minutes = 0;            // ... or minutes of training (0: no limit); none: 10 epochs
  int64_t eval_interval = 1000;  // steps between validations and checkpoints
  int64_t log_interval = 100;    // steps between log lines (when not on a terminal)
  bool live_progress = false;    // one status line rewritten in place (for a terminal)
  StepOptions step;              // label smoothing, clipping
  uint64_t seed = 1;             // the data order's generator
  int64_t max_bad_steps = 5;     // steps in a row whose loss or gradient is not finite: stop
  MakeOptimizer optimizer;       // empty: Adam with the Transformer paper's settings
  double average_decay = 0;      // beta of the weights' moving average (0: none)
  std::string score_name = "BLEU";  // what EvalRecord::score is: logs, metrics ("valid_bleu")
};

struct TrainResult {
  int64_t steps = 0;
  double best_score = -1;
  double best_loss = -1;
  double seconds = 0;            // training time of this run
  double tokens_per_second = 0;  // target tokens per second over this run
};

// Trains (or resumes) `model` on `data`, logging to `log`.
TrainResult run_training(Seq2Seq& model, const Schedule& schedule, const TrainingData& data,
                         const Evaluate& evaluate, const LoopOptions& options, std::ostream& log);

// Mean cross-entropy per target token over one pass of `data` (no smoothing, no dropout, batches
// in a fixed order): the validation loss.
double mean_loss(Seq2Seq& model, const TrainingData& data);

}  // namespace attn
