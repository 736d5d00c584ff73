// Additive score: a small feed-forward network scores each (query, key) pair.
//
//   e[t, s] = v^T tanh(W_q q_t + W_k k_s)           W_q [A, Eq], W_k [A, Ek], v [A]
//
// Bahdanau, Cho & Bengio 2014, "Neural Machine Translation by Jointly Learning to Align and
// Translate", §3.1 and Appendix A.1.2: e_ij = v_a^T tanh(W_a s_{i-1} + U_a h_j) (here
// W_q = W_a, W_k = U_a). Queries and keys may have different widths. The keys' side W_k k_s does
// not depend on the query, so it is computed once per key sequence (prepare_keys) and kept in
// the decoder's cache; each query is projected, then broadcasting forms all T x S pairs:
//   [..., T, 1, A] + [..., 1, S, A] -> [..., T, S, A] -> tanh -> @ v -> [..., T, S]
// which costs T * S * A per head: the price of a score that is not one product.
// Setting: hidden=A, the width of the hidden layer (default: Eq).
// Every weight is initialised Xavier-uniform (Glorot & Bengio 2010) from spec.seed.
#pragma once

#include <string>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "nn/settings.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace attn {

class AdditiveScore : public ScoreFunction {
 public:
  explicit AdditiveScore(const ScoreSpec& spec) {
    check(spec.query_dim > 0 && spec.key_dim > 0, "additive score", [&] {
      return "needs spec.query_dim and spec.key_dim, got " + std::to_string(spec.query_dim) +
             " and " + std::to_string(spec.key_dim);
    });
    int64_t A = spec.query_dim;
    Settings settings = {integer_setting("hidden", A, "width A of the hidden layer", 1, 1 << 16)};
    apply_settings_text(settings, spec.settings, "additive score");
    Generator generator(spec.seed);
    w_q = register_parameter("w_q", xavier_uniform({A, spec.query_dim}, generator));
    w_k = register_parameter("w_k", xavier_uniform({A, spec.key_dim}, generator));
    v = register_parameter("v", xavier_uniform({A}, generator));
  }

  // keys [..., S, Ek] -> W_k k [..., S, A]
  Variable prepare_keys(const Variable& keys) override {
    check(keys.size(-1) == w_k.size(1), "additive score", [&] {
      return "built for key width " + std::to_string(w_k.size(1)) + ", got " +
             std::to_string(keys.size(-1));
    });
    return matmul(keys, transpose(w_k, 0, 1));  // [..., S, Ek] @ [Ek, A] -> [..., S, A]
  }

  // queries [..., T, Eq], prepared keys [..., S, A] -> scores [..., T, S]
  Variable scores(const Variable& queries, const Variable& keys, const ScoreContext&) override {
    check(queries.size(-1) == w_q.size(1), "additive score", [&] {
      return "built for query width " + std::to_string(w_q.size(1)) + ", got " +
             std::to_string(queries.size(-1));
    });
    Variable q = matmul(queries, transpose(w_q, 0, 1));  // [..., T, Eq] @ [Eq, A] -> [..., T, A]
    Variable hidden = tanh(unsqueeze(q, -2) + unsqueeze(keys, -3));  // [..., T, S, A]
    Variable e = matmul(hidden, unsqueeze(v, 1));  // [..., T, S, A] @ [A, 1] -> [..., T, S, 1]
    return squeeze(e, -1);                         // [..., T, S]
  }

  Variable w_q;  // W_q [A, Eq]
  Variable w_k;  // W_k [A, Ek]
  Variable v;    // v [A]
};

}  // namespace attn
