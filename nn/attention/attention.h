// Attention: a weighted sum of the values, the weights depending on the query.
//
// Every attention mechanism is the same fixed plumbing around a pluggable score function:
//   E = score(Q, K)                        [B, H, T, S]   one file per variant (registry.h)
//   E[b, h, t, s] = -inf where mask == 0   the ONE place where a mask becomes -inf
//   A = softmax(E) over s                  [B, H, T, S]   each row sums to 1
//   C = dropout(A) V                       [B, H, T, S] @ [B, H, S, Ev] -> [B, H, T, Ev]
// With the scaled dot score this is Vaswani et al. 2017, §3.2.1:
//   Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V
// Dropout on the weights is not in the paper's text; it is in its reference implementation
// (tensor2tensor) and in most since. A query row whose keys are all masked has no probability
// to share: softmax gives it all-zero weights (tensor/softmax.h), so its context is 0 and no
// NaN reaches the values or the gradients.
#pragma once

#include "autograd/variable.h"
#include "nn/attention/score_function.h"
#include "nn/layers/dropout.h"

namespace attn {

struct AttentionResult {
  Variable context;  // [B, H, T, Ev]  sum_s A[t, s] v_s
  Variable weights;  // [B, H, T, S]   A = softmax over s, before dropout (what a heat map shows)
};

// queries [B, H, T, Eq], keys [B, H, S, Ek], values [B, H, S, Ev];
// mask broadcasts to [B, H, T, S], 1 = may attend, 0 = may not (nn/mask.h); undefined: no mask;
// dropout on the weights, nullptr: none.
AttentionResult attend(ScoreFunction& score, const Variable& queries, const Variable& keys,
                       const Variable& values, const Tensor& mask = Tensor(),
                       const Dropout* dropout = nullptr);

}  // namespace attn
