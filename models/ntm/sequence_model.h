// A model that reads a sequence of vectors and answers with a vector at every step: the
// interface the Neural Turing Machine and its LSTM baseline share, so that one trainer, one
// test and one picture serve both.
//
//   inputs [B, T, I]  ->  logits [B, T, O]     each output bit's logit, sigmoid(logit) = P(bit = 1)
#pragma once

#include <cstdint>

#include "nn/module.h"
#include "tensor/random.h"

namespace attn {

// What the heads did at every step of the last forward (empty for a model without heads):
// what Graves et al. 2014, Figure 6 draws.
struct HeadTrace {
  Tensor reads;   // [B, T, N] the first read head's weights
  Tensor writes;  // [B, T, N] the write head's weights
};

class SequenceModel : public Module {
 public:
  // inputs [B, T, I] -> logits [B, T, O]
  virtual Variable forward(const Variable& inputs) = 0;
  // The heads' weights of the last forward(); empty tensors for a model without memory.
  virtual HeadTrace trace() const { return {}; }
  // The model's one generator: its initial weights come from it (checkpoints save its state).
  virtual Generator& generator() = 0;
};

}  // namespace attn
