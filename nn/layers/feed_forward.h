// The position-wise feed-forward network: the same two-layer MLP applied at every position.
//
// Vaswani et al. 2017, §3.3:  FFN(x) = max(0, x W1 + b1) W2 + b2,  d_model -> d_ff -> d_model
// (d_ff = 2048 for d_model = 512). With the activation a named option and dropout on the hidden
// layer, placed as in PyTorch's TransformerEncoderLayer (after the activation):
//   FFN(x) = W2 dropout(act(W1 x + b1)) + b2
// It mixes features within a position and never across positions; attention does that.
#pragma once

#include "nn/layers/activation.h"
#include "nn/layers/dropout.h"
#include "nn/layers/linear.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace attn {

class FeedForward : public Module {
 public:
  // dropout_p: the probability of zeroing a hidden unit in training; activation: relu (paper) or
  // gelu. generator draws the initial weights and, in training, the dropout masks.
  FeedForward(int64_t d_model, int64_t d_ff, Generator& generator, real dropout_p = 0.1,
              Activation activation = Activation::relu);
  // x [B, T, D] -> [B, T, D]
  Variable forward(const Variable& x) const;
  Activation activation() const { return activation_; }

  Linear linear1;   // W1 [F, D], b1 [F]
  Dropout dropout;  // on the hidden layer
  Linear linear2;   // W2 [D, F], b2 [D]

 private:
  Activation activation_;
};

}  // namespace attn
