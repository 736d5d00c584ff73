// Additive score: a small feed-forward network scores each (query, key) pair.
//
//   e[t, s] = v^T tanh(W_q q_t + W_k k_s)           W_q [A, Eq], W_k [A, Ek], v [A]
//
// Bahdanau, Cho & Bengio 2014, "Neural Machine Translation by Jointly Learning to Align and
// Translate", §3.1 and Appendix A.1.2: e_ij = v_a^T tanh(W_a s_{i-1} + U_a h_j) (here
// W_q = W_a, W_k = U_a). Queries and keys may have different widths; A = spec.hidden_dim, or Eq
// when that is 0. Each side is projected once, then broadcasting forms all T x S pairs:
//   [B, H, T, 1, A] + [B, H, 1, S, A] -> [B, H, T, S, A] -> tanh -> @ v -> [B, H, T, S]
// which costs T * S * A per head: the price of a score that is not one product.
// Every weight is initialised Xavier-uniform (Glorot & Bengio 2010) from spec.seed.
#pragma once

#include <string>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace attn {

class AdditiveScore : public ScoreFunction {
 public:
  explicit AdditiveScore(const ScoreSpec& spec) {
    check(spec.query_dim > 0 && spec.key_dim > 0, "additive score",
          "needs spec.query_dim and spec.key_dim, got " + std::to_string(spec.query_dim) +
              " and " + std::to_string(spec.key_dim));
    const int64_t A = spec.hidden_dim > 0 ? spec.hidden_dim : spec.query_dim;
    Generator generator(spec.seed);
    w_q = register_parameter("w_q", xavier_uniform({A, spec.query_dim}, generator));
    w_k = register_parameter("w_k", xavier_uniform({A, spec.key_dim}, generator));
    v = register_parameter("v", xavier_uniform({A}, generator));
  }

  // queries [B, H, T, Eq], keys [B, H, S, Ek] -> scores [B, H, T, S]
  Variable scores(const Variable& queries, const Variable& keys) override {
    check(queries.size(-1) == w_q.size(1) && keys.size(-1) == w_k.size(1), "additive score",
          "built for query width " + std::to_string(w_q.size(1)) + " and key width " +
              std::to_string(w_k.size(1)) + ", got " + std::to_string(queries.size(-1)) +
              " and " + std::to_string(keys.size(-1)));
    Variable q = matmul(queries, transpose(w_q, 0, 1));  // [B, H, T, Eq] @ [Eq, A] -> [B, H, T, A]
    Variable k = matmul(keys, transpose(w_k, 0, 1));     // [B, H, S, Ek] @ [Ek, A] -> [B, H, S, A]
    Variable hidden = tanh(unsqueeze(q, 3) + unsqueeze(k, 2));  // [B, H, T, S, A]
    Variable e = matmul(hidden, unsqueeze(v, 1));  // [B, H, T, S, A] @ [A, 1] -> [B, H, T, S, 1]
    return squeeze(e, -1);                         // [B, H, T, S]
  }

  Variable w_q;  // W_q [A, Eq]
  Variable w_k;  // W_k [A, Ek]
  Variable v;    // v [A]
};

}  // namespace attn
