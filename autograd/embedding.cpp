// Embedding: a lookup table of learned vectors, one row per token id.
//
//   y[..., :] = W[tokens[...], :]          W [V, D], tokens of any shape [...] -> y [..., D]
//   dW[v, :] = sum of g[..., :] over the positions whose token is v        (index_add)
// A token that appears several times collects the gradient of every appearance. The padding
// row (padding_index >= 0) gets no gradient, so it stays as initialised, usually zeros: padded
// positions then contribute nothing however long training runs (PyTorch's padding_idx).
#include "autograd/ops.h"

#include <cmath>
#include <sstream>

#include "tensor/error.h"
#include "tensor/index.h"

namespace attn {

namespace {

// Checked here, not only in index_select, so that the message names the embedding. The message
// is built only on failure: this loop runs over every token of every batch.
void check_tokens(const Tensor& tokens, int64_t vocabulary) {
  for (real token : tokens.to_vector()) {
    if (token >= 0 && token < static_cast<real>(vocabulary) && token == std::floor(token))
      continue;
    std::ostringstream message;
    message << "embedding: token " << token << " is not an id in a vocabulary of " << vocabulary
            << " (0.." << vocabulary - 1 << ")";
    throw Error(message.str());
  }
}

}  // namespace

Variable embedding(const Variable& weight, const Tensor& tokens, int64_t padding_index) {
  check(weight.ndim() == 2, "embedding",
        [&] { return "weight must be [V, D], got " + to_string(weight.shape()); });
  const int64_t vocabulary = weight.size(0);
  check(padding_index < vocabulary, "embedding", [&] {
    return "padding_index " + std::to_string(padding_index) +
           " is out of range for a vocabulary of " + std::to_string(vocabulary);
  });
  check_tokens(tokens, vocabulary);
  Tensor y = index_select(weight.value(), 0, tokens);  // [..., D]
  // dW = index_add(g) over dim 0, then the padding row zeroed
  return Variable::make_result(
      y, "embedding", {weight}, [w_shape = weight.shape(), tokens, padding_index](const Tensor& g) {
        Tensor dweight = index_add(w_shape, 0, tokens, g);  // [V, D]
        if (padding_index >= 0) dweight.narrow(0, padding_index, 1).fill(0);
        return std::vector<Tensor>{dweight};
      });
}

}  // namespace attn
