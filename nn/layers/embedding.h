// Embedding: a learned vector for each token id, looked up by index.
//
//   y[..., :] = W[tokens[...], :]          W [V, D], tokens [...] -> y [..., D]
// Equivalent to multiplying a one-hot row by W, without building the one-hot rows. Initialised
// as torch.nn.Embedding: W ~ N(0, 1). The Transformer multiplies the result by sqrt(d_model)
// (Vaswani et al. 2017, §3.4); that is the model's business, not this lookup's.
//
// With a padding_index, that row starts at zero and never receives a gradient, so padded
// positions embed to zero for the whole of training (PyTorch's padding_idx).
#pragma once

#include "nn/module.h"
#include "tensor/random.h"

namespace attn {

class Embedding : public Module {
 public:
  // padding_index: the id whose row stays zero, or -1 for none.
  Embedding(int64_t vocab_size, int64_t dim, Generator& generator, int64_t padding_index = -1);
  // tokens [...] (whole numbers in 0..V-1) -> [..., dim]
  Variable forward(const Tensor& tokens) const;
  int64_t padding_index() const { return padding_index_; }

  Variable weight;  // [V, dim]

 private:
  int64_t padding_index_;
};

}  // namespace attn
