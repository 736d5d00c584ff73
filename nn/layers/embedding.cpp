// Embedding: a table lookup, W[tokens] (see embedding.h).
//
//   y[..., :] = W[tokens[...], :],   dW[v, :] = sum of g over the positions holding v
// The lookup and its gradient, including the padding row's exemption, are the embedding op
// (autograd/embedding.cpp); this module owns the table.
#include "nn/layers/embedding.h"

#include "autograd/ops.h"
#include "tensor/error.h"

namespace attn {

Embedding::Embedding(int64_t vocab_size, int64_t dim, Generator& generator,
                     int64_t padding_index)
    : padding_index_(padding_index) {
  check(vocab_size > 0 && dim > 0, "Embedding", [&] {
    return "vocab_size and dim must be positive, got " + std::to_string(vocab_size) + " and " +
           std::to_string(dim);
  });
  check(padding_index >= -1 && padding_index < vocab_size, "Embedding", [&] {
    return "padding_index must be -1 (none) or in 0.." + std::to_string(vocab_size - 1) + ", got " +
           std::to_string(padding_index);
  });
  Tensor table = normal({vocab_size, dim}, 0, 1, generator);  // [V, dim]
  if (padding_index >= 0) table.narrow(0, padding_index, 1).fill(0);
  weight = register_parameter("weight", table);
}

Variable Embedding::forward(const Tensor& tokens) const {
  return embedding(weight, tokens, padding_index_);  // [...] -> [..., dim]
}

}  // namespace attn
