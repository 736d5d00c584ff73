// Cross-entropy of logits against target classes, fused with log-softmax, with label smoothing
// and an ignored (padding) class.
//
// For a row of logits z over V classes with target t, p = log_softmax(z), smoothing e:
//   q_t = 1 - e + e/V,  q_j = e/V for j != t          (Szegedy et al. 2016; Vaswani §5.4)
//   loss_row = -sum_j q_j p_j
// The loss is the mean over rows whose target is not ignore_index (0 when there are none).
//
// Backward of the mean loss, for a counted row: dz_j = (softmax(z)_j - q_j) / count; 0 for
// ignored rows. Fusing avoids materialising the softmax twice and is exact at any logit scale.
#pragma once

#include "tensor/tensor.h"

namespace attn {

struct CrossEntropyForward {
  Tensor loss;          // []      mean loss over counted rows
  Tensor log_probs;     // [N, V]  saved for backward
  int64_t count = 0;    // rows whose target is not ignore_index
};

// logits [N, V], targets [N] of class indices (whole numbers).
CrossEntropyForward cross_entropy_forward(const Tensor& logits, const Tensor& targets,
                                          int64_t ignore_index, real label_smoothing);
// Gradient of the loss w.r.t. logits, scaled by grad_loss (a scalar).
Tensor cross_entropy_backward(const Tensor& log_probs, const Tensor& targets, int64_t count,
                              int64_t ignore_index, real label_smoothing, real grad_loss);

}  // namespace attn
