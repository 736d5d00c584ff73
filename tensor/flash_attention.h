// Memory-efficient exact attention: FlashAttention's tiled forward and backward, on the CPU.
//
//   X = scale * Q K^T, masked entries -inf              [..., T, S]   never stored
//   O = softmax(X, over s) V                            [..., T, Ev]
//   L = log sum_s exp(X[t, s])                          [..., T]      the row's logsumexp
//
// Dao et al. 2022, "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
// §3.1 (Algorithm 1: the online softmax of Milakov & Gimelshein 2018, "Online normalizer
// calculation for softmax") and Appendix B (the backward); Dao 2023, "FlashAttention-2", §3 (query
// blocks outside, key blocks inside, and only L saved for the backward).
//
// The [T, S] scores are never held whole: a block of Br queries meets the keys Bc at a time, and
// keeps per row the running max m, the running sum l of exp(x - m) and the unnormalised output.
// A new key block with a larger max shrinks both by exp(m_old - m_new) (see flash_attention.cpp).
// Extra memory is tiles per thread plus L: linear in T and S, where the plain path (matmul,
// softmax, matmul) stores [..., T, S] scores and weights.
//
// Backward, from dO = dL/dO, with P = softmax(X) recomputed tile by tile as exp(X - L):
//   D_t = sum_e dO[t, e] O[t, e]                        (= sum_s P[t, s] dP[t, s])
//   dV = P^T dO,  dP = dO V^T,  dS = P * (dP - D),  dQ = scale dS K,  dK = scale dS^T Q
//
// Which keys a query sees, in attn's convention (nn/attention/mask.h): the mask is 1 where query
// t may attend to key s and 0 where not, and broadcasts against [..., T, S] (a padding mask
// [B, 1, 1, S], a causal one [1, 1, T, T]); it is read through its strides, never expanded into
// memory. `causal` adds the rule s + key_offset <= t + query_offset without any mask tensor; the
// offsets are absolute positions, so one query at position L (decoding with a cache of L keys:
// T = 1, S = L + 1, query_offset = L) sees every key. A query that sees no key at all gets an
// all-zero output row, L = -inf and zero gradients (as attn's softmax gives such a row zeros),
// never NaN.
//
// Shapes: q [..., T, E], k [..., S, E], v [..., S, Ev] -> [..., T, Ev], where "..." is one or more
// leading axes ([B] or [B, H]), the same for all three. Every input is read through its strides,
// never copied: heads split from [B, T, H, E] by a transpose go to the kernel as they lie.
//
// Threads: the forward spreads (leading index, query block) pairs over the pool; the backward,
// whose dK and dV sum over query blocks, gives each leading index to one task. Either way every
// number is summed in one fixed order, so results are bitwise the same for any thread count.
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace attn {

struct FlashAttentionOptions {
  real scale = 1;  // scores are scale * q . k: 1 / sqrt(E) for scaled dot-product attention
  Tensor mask;     // undefined, or 1 = may attend, 0 = not, broadcasting to [..., T, S]
  bool causal = false;       // query t sees key s only if s + key_offset <= t + query_offset
  int64_t query_offset = 0;  // absolute position of query 0 (decoding: the keys already cached)
  int64_t key_offset = 0;    // absolute position of key 0
};

// q [..., T, E], k [..., S, E], v [..., S, Ev] -> O [..., T, Ev]; writes L [..., T] to
// *logsumexp unless it is null.
Tensor flash_attention_forward(const Tensor& q, const Tensor& k, const Tensor& v,
                               const FlashAttentionOptions& options, Tensor* logsumexp);

struct FlashAttentionGradients {
  Tensor q, k, v;  // dL/dq [..., T, E], dL/dk [..., S, E], dL/dv [..., S, Ev]
};

// The forward's inputs and options, its output `out` and `logsumexp`, and grad_out = dL/dO
// [..., T, Ev] -> the gradients of q, k and v.
FlashAttentionGradients flash_attention_backward(const Tensor& q, const Tensor& k, const Tensor& v,
                                                 const FlashAttentionOptions& options,
                                                 const Tensor& out, const Tensor& logsumexp,
                                                 const Tensor& grad_out);

}  // namespace attn
