// Attention masks: which keys each query may look at.
//
// One convention everywhere: a mask holds 1 where attention is ALLOWED and 0 where it is not,
// and broadcasts against the scores [B, H, T, S]. attention.cpp turns the zeros into -inf before
// the softmax, in that one place, so masked keys get exactly zero weight.
//
//   causal_mask(4) -> [1, 1, 4, 4]       padding_mask(tokens, pad) -> [B, 1, 1, S]
//        s: 0 1 2 3                        tokens  [[5, 7, 9, pad],
//   t: 0    1 0 0 0                                 [4, 6, pad, pad]]
//      1    1 1 0 0                        mask    [[1, 1, 1, 0],
//      2    1 1 1 0                                 [1, 1, 0, 0]]   (per batch row, any query)
//      3    1 1 1 1
//   target t sees itself and the past.
//
// combine_masks(a, b) allows a position only where both allow it: a decoder's self-attention
// uses combine_masks(padding_mask(target, pad), causal_mask(T)) -> [B, 1, T, T].
#pragma once

#include "tensor/tensor.h"

namespace attn {

Tensor causal_mask(int64_t length);                            // [1, 1, T, T]
Tensor padding_mask(const Tensor& tokens, int64_t pad_index);  // tokens [B, S] -> [B, 1, 1, S]
Tensor combine_masks(const Tensor& a, const Tensor& b);        // broadcast logical and

}  // namespace attn
