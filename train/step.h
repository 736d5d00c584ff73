// One training step, the same for the trainer (`attn train`), the toy tasks and the benchmark:
//
//   logits = model.forward(source, target_in)           [B, T, V]   teacher forcing
//   loss   = label-smoothed cross-entropy(logits, target_out), padding ignored
//            + the model's penalty, if it has one (Seq2Seq::penalty: Show, Attend and Tell's)
//   backward; clip the gradients' global norm; lr = schedule(step); optimiser step
//
// Teacher forcing (Williams & Zipser 1989): the decoder reads the reference shifted right and
// is scored on predicting it shifted left, all positions at once (train/data/batching.h).
// Label smoothing (Szegedy et al. 2016; Vaswani et al. 2017, §5.4, e_ls = 0.1) trains towards
// (1 - e) on the reference and e / V spread over the vocabulary: "This hurts perplexity, as the
// model learns to be more unsure, but improves accuracy and BLEU score."
//
// A step whose loss or any gradient is not finite (a learning rate far too high, an overflow) is
// not applied: no weight and no optimiser state changes, and the result says what went wrong,
// naming the first parameter whose gradient holds an inf or a NaN. The gradients' global norm,
// which clipping needs anyway, tells at no extra cost whether any gradient is not finite.
#pragma once

#include <cstdint>
#include <string>

#include "models/seq2seq/seq2seq.h"
#include "train/data/batching.h"
#include "train/optim/optimizer.h"
#include "train/optim/schedule.h"

namespace attn {

// Mean cross-entropy per target token of logits [B, T, V] against target_out [B, T]; positions
// holding special_tokens::pad are ignored.
Variable sequence_loss(const Variable& logits, const Tensor& target_out, real label_smoothing);

struct StepOptions {
  real label_smoothing = 0.1;  // e_ls, Vaswani et al. §5.4
  real clip_norm = 1;          // the gradients' global norm at most this (0: no clipping)
  // Differentiate the loss summed over the batch's target tokens instead of their mean: the
  // memory networks' reference code does, and its learning rate (0.01) and clipping (40) are
  // for summed gradients. The loss reported stays the mean.
  bool summed_loss = false;
  // Clip each parameter's gradient to clip_norm on its own, not all of them together: the
  // memory networks' reference code does (each weight matrix's update, Weight.m).
  bool clip_each = false;
};

struct StepResult {
  real loss = 0;        // the batch's loss (with the model's penalty), before the update
  bool applied = true;  // false: the step was skipped, see `problem`
  std::string problem;  // "the loss is nan", "the gradient of decoder.output.weight is not finite"
};

// Trains `model` on one batch: the loss, backward, clipping, the learning rate of `step` (from
// 1) and the update, unless the loss or a gradient is not finite.
StepResult train_step(Seq2Seq& model, const Batch& batch, Optimizer& optimizer,
                      const Schedule& schedule, int64_t step, const StepOptions& options);

// The second half of a step, for any model: backward from `objective` (times loss_scale, for a
// summed loss), the finiteness checks, clipping, and the update at `learning_rate`. Only
// options.clip_norm and options.clip_each are read.
StepResult descend(const Variable& objective, Optimizer& optimizer, real learning_rate,
                   const StepOptions& options, real loss_scale = 1);

}  // namespace attn
