// Binary cross-entropy of logits against bits, fused with the sigmoid, over counted elements.
//
// For a logit z and a target y in [0, 1], p = sigmoid(z):
//   l(z, y) = -y log p - (1 - y) log(1 - p)
//           = max(z, 0) - z y + log(1 + e^-|z|)        the same, never exponentiating a large z
//   loss = (1 / count) sum over counted elements of l(z, y)
//   dl/dz = p - y                                      (the sigmoid's y(1-y) cancels the logs')
// Written as sigmoid then log, l loses every digit once p rounds to 1 (z > 17 in float) and
// its gradient vanishes: the fused form stays exact at any logit. It is PyTorch's
// BCEWithLogitsLoss; the NTM's copy task scores each output bit with it (Graves et al. 2014, §4).
#pragma once

#include "tensor/tensor.h"

namespace attn {

struct BinaryCrossEntropyForward {
  Tensor loss;         // []  mean over counted elements (0 when none counts)
  int64_t count = 0;   // elements counted
};

// logits [...], targets [...] (same shape, values in [0, 1]), mask [...] 1 = counted, 0 = not
// (undefined: every element counts).
BinaryCrossEntropyForward binary_cross_entropy_forward(const Tensor& logits, const Tensor& targets,
                                                       const Tensor& mask);
// The gradient of the mean loss w.r.t. the logits, times grad_loss (a scalar):
//   dz = grad_loss * mask * (sigmoid(z) - y) / count
Tensor binary_cross_entropy_backward(const Tensor& logits, const Tensor& targets,
                                     const Tensor& mask, int64_t count, real grad_loss);

}  // namespace attn
