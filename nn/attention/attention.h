// Attention: a weighted sum of the values, the weights depending on the query.
//
// Every attention mechanism is the same fixed plumbing around a pluggable score function:
//   E = score(Q, K)                        [..., T, S]   one file per variant (scores/)
//   E[..., t, s] = -inf where mask == 0    the ONE place where a mask becomes -inf
//   A = softmax(E) over s                  [..., T, S]   each row sums to 1 (or A = E, below)
//   A = reweight(A)                        [..., T, S]   a score's optional step after it
//   C = dropout(A) V                       [..., T, S] @ [..., S, Ev] -> [..., T, Ev]
// With the scaled dot score this is Vaswani et al. 2017, §3.2.1:
//   Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V
// The leading axes "..." are [B, H] for multi-head attention and [B] for one attention without
// heads. attend_one() serves the commonest case of the second kind, one query per sequence
// ([B, Eq]: a recurrent decoder's state at one step), without inventing time or head axes.
//
// Dropout on the weights is not in the paper's text; it is in its reference implementation
// (tensor2tensor) and in most since. A query row whose keys are all masked has no probability
// to share: softmax gives it all-zero weights (tensor/softmax.h), so its context is 0 and no
// NaN reaches the values or the gradients.
//
// Without the softmax (AttentionOptions::softmax = false) the weights are the scores themselves,
// masked keys 0: the "linear start" of end-to-end memory networks (Sukhbaatar et al. 2015, §4.2),
// which trains the first epochs so, because the softmax's small gradients at initialisation
// leave some tasks stuck in a poor local minimum.
//
// Empty slots (AttentionOptions::empty_slots). A memory of fixed size M that holds n < M items,
// as in the reference code of end-to-end memory networks (MemN2N-babi-matlab), has M - n empty
// slots: zero vectors, so their score u . 0 is 0 and their value adds nothing, yet each takes
// its share exp(0) of the softmax. c such slots act as one slot of score log c:
//   A = softmax([E, log c]) over s, without its last column      [..., T, S], rows sum to <= 1
// so a row can keep weight off every real slot (Miller 2023, "Attention is off by one", argues
// for the case c = 1). Only the softmax changes; without it an empty slot's weight is its score, 0.
//
// A score that uses_history() sees the alignment of the query before: attention then walks the
// T queries one by one, appending each row's weights to the history. Given a history that
// lives on between calls (a decoder's cache), one query per call continues it exactly.
//
// The tiled path. The plumbing stores E and A, [..., T, S] each, and their gradients: memory
// that grows with the square of the length. When the score is a plain scaled dot product
// (ScoreFunction::dot_product_scale), the softmax is on, no dropout acts on the weights and the
// caller does not need them (AttentionOptions::need_weights), attend() computes the same C with
// the tiled kernel of FlashAttention (tensor/flash_attention.h; Dao et al. 2022), which keeps
// only C and each row's logsumexp, linear in T, and returns no weights.
// attention_weights_of() makes them afterwards for a caller who wants them after all.
#pragma once

#include "autograd/variable.h"
#include "nn/attention/score_function.h"
#include "nn/layers/dropout.h"

namespace attn {

struct AttentionResult {
  Variable context;  // [..., T, Ev]  sum_s A[t, s] v_s
  Variable weights;  // [..., T, S]   A, before dropout (what a heat map shows); undefined when
                     //               the tiled path left them unmade
};

// How one attention call is made, besides its queries, keys and values.
struct AttentionOptions {
  AttentionKind kind = AttentionKind::cross;
  Tensor mask;               // broadcasts to [..., T, S], 1 = may attend (mask.h); undefined: none
  int64_t query_offset = 0;  // absolute position of query 0 (incremental decoding: the step)
  int64_t key_offset = 0;    // absolute position of key 0
  AlignmentHistory* history = nullptr;  // kept between calls; nullptr: a fresh one for this call
  const Dropout* dropout = nullptr;     // on the weights; nullptr: none
  bool softmax = true;                  // false: A = E, masked scores 0 (linear start)
  Tensor empty_slots;  // broadcasts to [..., T, 1]: c >= 0 empty slots per row; undefined: none
  bool need_weights = true;  // false: the weights may be left unmade (the tiled path, above)
};

// queries [..., T, Eq]; keys [..., S, *] as score.prepare_keys() returned them (prepare once per
// key sequence); values [..., S, Ev]; "..." is [B] or [B, H].
AttentionResult attend(ScoreFunction& score, const Variable& queries, const Variable& keys,
                       const Variable& values, const AttentionOptions& options = {});

// The weights A that attend() computes for these arguments, without a graph: [..., T, S]. For
// the tiled path's callers that want them after all (a heat map). A score that looks back needs
// the history attend() started from.
Tensor attention_weights_of(ScoreFunction& score, const Variable& queries, const Variable& keys,
                            const AttentionOptions& options = {});

// One query per sequence: query [B, Eq], keys [B, S, *] (prepared), values [B, S, Ev], the
// options' mask [B, S] and empty_slots [B] -> context [B, Ev], weights [B, S].
AttentionResult attend_one(ScoreFunction& score, const Variable& query, const Variable& keys,
                           const Variable& values, const AttentionOptions& options = {});

}  // namespace attn
