// Attention masks, 1 = may attend, 0 = blocked (see mask.h for the pictures).
//
//   causal_mask(T)[0, 0, t, s]             = [s <= t]    target t sees itself and the past
//   padding_mask(tokens, pad)[b, 0, 0, s]  = [tokens[b, s] != pad]
//   combine_masks(a, b)                    = [a != 0] * [b != 0], broadcast
#include "nn/attention/mask.h"

#include "tensor/elementwise.h"
#include "tensor/error.h"

namespace attn {

Tensor causal_mask(int64_t length) {
  check(length >= 0, "causal_mask",
        [&] { return "length must be >= 0, got " + std::to_string(length); });
  const Tensor positions = Tensor::arange(length);
  // Query index down the rows, key index across the columns: allowed where key <= query.
  const Tensor queries = positions.view({length, 1});     // [T, 1]
  const Tensor keys = positions.view({1, length});        // [1, T]
  return le(keys, queries).view({1, 1, length, length});  // [1, 1, T, T]
}

Tensor padding_mask(const Tensor& tokens, int64_t pad_index) {
  check(tokens.ndim() == 2, "padding_mask",
        [&] { return "tokens must be [B, S], got " + to_string(tokens.shape()); });
  const Tensor pad = Tensor::scalar(static_cast<real>(pad_index));
  const Tensor mask = ne(tokens, pad);                       // [B, S]
  return mask.view({tokens.size(0), 1, 1, tokens.size(1)});  // [B, 1, 1, S]
}

Tensor combine_masks(const Tensor& a, const Tensor& b) {
  // Comparing with 0 first makes this a logical and for any nonzero "allowed" value, not only 1.
  const Tensor zero = Tensor::scalar(0);
  return ne(a, zero) * ne(b, zero);  // broadcast: [B, 1, 1, T] and [1, 1, T, T] -> [B, 1, T, T]
}

}  // namespace attn
