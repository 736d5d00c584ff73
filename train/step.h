// One training step, the same for the trainer (`attn train`), the toy tasks and the benchmark:
//
//   logits = model.forward(source, target_in)           [B, T, V]   teacher forcing
//   loss   = label-smoothed cross-entropy(logits, target_out), padding ignored
//   backward; clip the gradients' global norm; lr = schedule(step); optimiser step
//
// Teacher forcing (Williams & Zipser 1989): the decoder reads the reference shifted right and
// is scored on predicting it shifted left, all positions at once (train/data/batching.h).
// Label smoothing (Szegedy et al. 2016; Vaswani et al. 2017, §5.4, e_ls = 0.1) trains towards
// (1 - e) on the reference and e / V spread over the vocabulary: "This hurts perplexity, as the
// model learns to be more unsure, but improves accuracy and BLEU score."
#pragma once

#include <cstdint>

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
};

// Trains `model` on one batch: the loss, backward, clipping, the learning rate of `step` (from
// 1) and the update. Returns the batch's loss before the update.
real train_step(Seq2Seq& model, const Batch& batch, Optimizer& optimizer, const Schedule& schedule,
                int64_t step, const StepOptions& options);

}  // namespace attn
