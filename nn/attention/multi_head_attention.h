// Multi-head attention: H attentions side by side, each on its own E = D / H wide slice.
//
// Vaswani et al. 2017, §3.2.2:
//   MultiHead(Q, K, V) = Concat(head_1, ..., head_H) W^O
//   head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
// "Multi-head attention allows the model to jointly attend to information from different
// representation subspaces at different positions." The H projections W_i^Q [D, E] are stored
// side by side as one Linear w_q [D -> D]; splitting its output into heads is a reshape:
//   [B, T, D] -> [B, T, H, E] -> [B, H, T, E]      and back:   [B, H, T, E] -> [B, T, D]
// Attention itself is attend() (attention.h) with any registered score function, shared by the
// heads (built with spec.heads = H, so a per-head score such as ALiBi can tell them apart);
// the paper's is "scaled_dot". Unlike the paper, the projections carry biases, as in
// torch.nn.MultiheadAttention and the reference implementation.
//
// One module serves all three uses in the Transformer:
//   encoder self-attention        forward(x, x, x, source_mask)                      self, T = S
//   decoder masked self-attention forward(y, y, y, combine_masks(padding, causal_mask))  self
//   encoder-decoder attention     forward(y, memory, memory, source_mask)            cross
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "nn/attention/attention.h"
#include "nn/attention/score_function.h"
#include "nn/layers/dropout.h"
#include "nn/layers/linear.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace attn {

// Keys and values already projected and split into heads, and the attention's history: what
// incremental decoding keeps from one step to the next instead of recomputing it.
struct AttentionCache {
  Variable keys;             // [N, H, L, *] as the score prepared them (score_function.h)
  Variable values;           // [N, H, L, E]
  AlignmentHistory history;  // the alignments so far, for scores that look back
  bool empty() const { return !keys.defined(); }
  int64_t length() const { return empty() ? 0 : keys.size(2); }  // L, positions cached
  // Keeps rows `rows` (whole numbers) of everything cached, in that order: beam search uses it
  // to follow each surviving hypothesis back to its parent.
  void select_rows(const Tensor& rows);
};

class MultiHeadAttention : public Module {
 public:
  // d_model D must be divisible by heads H. `score` names a registered score function, with its
  // settings if any (registry.h); `kind` says whether it is self- or cross-attention. Dropout p
  // on the weights.
  MultiHeadAttention(int64_t d_model, int64_t heads, Generator& generator, real dropout = 0,
                     const std::string& score = "scaled_dot",
                     AttentionKind kind = AttentionKind::self);
  // The same around a score function that `make_score` builds from the spec (one not in the
  // registry, while trying it out).
  using ScoreMaker = std::function<std::unique_ptr<ScoreFunction>(const ScoreSpec&)>;
  MultiHeadAttention(int64_t d_model, int64_t heads, Generator& generator, real dropout,
                     const ScoreMaker& make_score, AttentionKind kind);

  // query [B, T, D], key [B, S, D], value [B, S, D], mask broadcastable to [B, H, T, S]
  // (1 = may attend; mask.h), undefined: none  ->  [B, T, D]. Positions count from 0.
  Variable forward(const Variable& query, const Variable& key, const Variable& value,
                   const Tensor& mask = Tensor());

  // ---- incremental decoding: the same results as forward(), computed one step at a time ----
  // Cross-attention: projects (and prepares) the memory's keys and values once:
  // memory [N, S, D] -> a cache of [N, H, S, *].
  AttentionCache start_cache(const Variable& memory);
  // Attention of new positions query [N, T_new, D], the first at position query_offset, over
  // the keys and values in `cache` -> [N, T_new, D]. The cache's history advances.
  Variable forward_cached(const Variable& query, AttentionCache& cache, const Tensor& mask,
                          int64_t query_offset);
  // Self-attention for new positions x [N, T_new, D]: their keys and values are appended to
  // `cache`, then they attend over every cached position (all of them earlier or equal, so no
  // causal mask is needed) -> [N, T_new, D].
  Variable forward_step(const Variable& x, AttentionCache& cache);

  // The weights of every head from the last forward, [B, H, T, S] (before dropout). Made now
  // if the last forward took the tiled path, which does not make them (attention.h).
  const Tensor& attention_weights() const;
  int64_t heads() const { return heads_; }
  int64_t d_model() const { return d_model_; }
  int64_t head_dim() const { return head_dim_; }
  ScoreFunction& score() { return *score_; }
  const ScoreFunction& score() const { return *score_; }

 private:
  // Declared (so initialised) before the projections: a D that H does not divide fails before
  // any weight is drawn from the generator.
  int64_t d_model_;   // D
  int64_t heads_;     // H
  int64_t head_dim_;  // E = D / H

 public:
  Linear w_q;  // W^Q [D -> D]: the H query projections side by side
  Linear w_k;  // W^K [D -> D]
  Linear w_v;  // W^V [D -> D]
  Linear w_o;  // W^O [D -> D]: mixes the concatenated heads

 private:
  // keys or values [N, L, D] -> [N, H, L, E], keys then prepared by the score.
  Variable project_keys(const Variable& key);
  Variable project_values(const Variable& value) const;
  // Everything after the key and value projections: q = x W^Q, attention, W^O.
  Variable attend_projected(const Variable& query, const Variable& keys, const Variable& values,
                            const Tensor& mask, int64_t query_offset, AlignmentHistory* history);

  AttentionKind kind_;
  std::unique_ptr<ScoreFunction> score_;
  Dropout dropout_;
  // The last forward's weights [B, H, T, S], or what makes them when the tiled path did not.
  mutable Tensor weights_;
  struct UnmadeWeights {
    Variable queries, keys;  // [B, H, T, E], [B, H, S, *]
    AttentionOptions options;
  };
  mutable std::optional<UnmadeWeights> unmade_;
};

}  // namespace attn
