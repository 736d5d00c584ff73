// Training any model of the interface on a toy task (train/data/toy_tasks.h), and scoring it.
//
// Training is the paper's recipe in miniature (Vaswani et al. 2017, §5.3-5.4): Adam with
// beta2 = 0.98, eps = 1e-9, the Noam schedule (linear warm-up, then 1/sqrt(step) decay),
// label smoothing 0.1, teacher forcing; every batch is freshly drawn. Each update is the shared
// training step (step.h), as in `attn train`.
// Evaluation is honest: greedy decoding (models/decoding/greedy.h) of fresh sequences, scored
// per token against the reference and its <eos>, so a model that only does well under teacher
// forcing still fails.
#pragma once

#include <cstdint>
#include <functional>

#include "models/seq2seq/seq2seq.h"
#include "train/data/toy_tasks.h"

namespace attn {

struct ToyTrainingOptions {
  int64_t steps = 1000;            // optimiser updates, one fresh batch each
  int64_t batch_size = 32;         // sequences per batch
  real peak_learning_rate = 3e-3;  // the Noam schedule's top, reached at the end of warm-up
  int64_t warmup_steps = 100;      // linear warm-up (post-LN needs it: layer_config.h)
  real label_smoothing = 0.1;      // e of §5.4
  real clip_norm = 1;              // global gradient-norm clip (Pascanu et al. 2013)
  uint64_t data_seed = 1;          // seeds the training batches
};

// Called after each step with the step (from 1) and that batch's loss.
using ToyStepCallback = std::function<void(int64_t step, real loss)>;

// Trains `model` in place; returns the mean loss over the last 10% of steps. model_width is its
// D, for the Noam schedule (ModelConfig::model_width).
real train_toy_task(Seq2Seq& model, int64_t model_width, const ToyTask& task,
                    const ToyTrainingOptions& options, const ToyStepCallback& on_step = {});

struct ToyScore {
  int64_t correct_tokens = 0;     // reference positions (symbols and <eos>) decoded right
  int64_t total_tokens = 0;       // reference positions, <eos> included
  int64_t correct_sequences = 0;  // sequences decoded exactly, <eos> included
  int64_t total_sequences = 0;
  double token_accuracy() const;     // correct_tokens / total_tokens
  double sequence_accuracy() const;  // correct_sequences / total_sequences
};

// Greedy-decodes `count` fresh sequences drawn from `generator` and scores them.
ToyScore evaluate_toy_task(Seq2Seq& model, const ToyTask& task, int64_t count,
                           Generator& generator);

}  // namespace attn
