// The position-wise feed-forward network (see feed_forward.h).
//
//   FFN(x) = W2 dropout(act(W1 x + b1)) + b2          Vaswani et al. 2017, §3.3
// Linear acts on the last dimension, so [B, T, D] needs no reshape: every position is one row.
#include "nn/layers/feed_forward.h"

namespace attn {

FeedForward::FeedForward(int64_t d_model, int64_t d_ff, Generator& generator,
                         real dropout_p, Activation activation)
    : linear1(d_model, d_ff, generator),
      dropout(dropout_p, generator),
      linear2(d_ff, d_model, generator),
      activation_(activation) {
  // The names and order of PyTorch's TransformerEncoderLayer, so checkpoints line up.
  register_module("linear1", linear1);
  register_module("dropout", dropout);
  register_module("linear2", linear2);
}

Variable FeedForward::forward(const Variable& x) const {
  Variable hidden = activate(linear1.forward(x), activation_);  // [B, T, F]
  return linear2.forward(dropout.forward(hidden));              // [B, T, D]
}

}  // namespace attn
