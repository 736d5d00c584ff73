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
// heads; the paper's is "scaled_dot". Unlike the paper, the projections carry biases, as in
// torch.nn.MultiheadAttention and the reference implementation.
//
// One module serves all three uses in the Transformer:
//   encoder self-attention        forward(x, x, x, padding_mask(source))               T = S
//   decoder masked self-attention forward(y, y, y, combine_masks(padding, causal_mask))
//   encoder-decoder attention     forward(y, memory, memory, padding_mask(source))     T != S
#pragma once

#include <memory>
#include <string>

#include "nn/attention/score_function.h"
#include "nn/layers/dropout.h"
#include "nn/layers/linear.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace attn {

// Keys and values already projected and split into heads: what incremental decoding keeps from
// one step to the next instead of recomputing them for the whole prefix.
struct KeyValueCache {
  Variable keys;    // [N, H, L, E]
  Variable values;  // [N, H, L, E]
  bool empty() const { return !keys.defined(); }
  // Keeps rows `rows` (whole numbers) of every cached tensor, in that order: beam search uses it
  // to follow each surviving hypothesis back to its parent.
  void select_rows(const Tensor& rows);
};

class MultiHeadAttention : public Module {
 public:
  // d_model D must be divisible by heads H. `score` names a registered score function
  // (registry.h); max_source_length is needed only by "location". Dropout p on the weights.
  MultiHeadAttention(int64_t d_model, int64_t heads, Generator& generator, real dropout = 0,
                     const std::string& score = "scaled_dot", int64_t max_source_length = 0);

  // query [B, T, D], key [B, S, D], value [B, S, D], mask broadcastable to [B, H, T, S]
  // (1 = may attend; nn/mask.h), undefined: none  ->  [B, T, D]
  Variable forward(const Variable& query, const Variable& key, const Variable& value,
                   const Tensor& mask = Tensor());

  // ---- incremental decoding: the same results as forward(), computed one step at a time ----
  // Projects keys and values once: memory [N, S, D] -> cache of [N, H, S, E].
  KeyValueCache project_keys_values(const Variable& memory) const;
  // Attention of query [N, T, D] over the keys and values in `cache` -> [N, T, D].
  Variable forward_cached(const Variable& query, const KeyValueCache& cache,
                          const Tensor& mask = Tensor());
  // Self-attention for new positions x [N, T_new, D]: their keys and values are appended to
  // `cache`, then they attend over every cached position (all of them earlier or equal, so no
  // causal mask is needed) -> [N, T_new, D].
  Variable forward_step(const Variable& x, KeyValueCache& cache);

  // The weights of every head from the last forward, [B, H, T, S] (before dropout).
  const Tensor& attention_weights() const { return weights_; }
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
  // Everything after the key and value projections: q = x W^Q, attention, W^O.
  Variable attend_projected(const Variable& query, const Variable& keys, const Variable& values,
                            const Tensor& mask);

  std::unique_ptr<ScoreFunction> score_;
  Dropout dropout_;
  Tensor weights_;  // [B, H, T, S] from the last forward
};

}  // namespace attn
