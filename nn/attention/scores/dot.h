// Dot-product score: how far each key points the query's way.
//
//   e[t, s] = q_t . k_s = sum_i q_t[i] k_s[i]           queries [B, H, T, E], keys [B, H, S, E]
//   E = Q K^T                                          scores  [B, H, T, S]
//
// Luong, Pham & Manning 2015, "Effective Approaches to Attention-based Neural Machine
// Translation", §3.1, the "dot" score. No parameters; queries and keys must have one width.
// For vectors with unit-variance entries q . k has variance d_k, so wide heads push the softmax
// into saturation: scaled_dot.h divides that back down.
#pragma once

#include <string>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "tensor/error.h"

namespace attn {

class DotScore : public ScoreFunction {
 public:
  explicit DotScore(const ScoreSpec&) {}

  // queries [B, H, T, E], keys [B, H, S, E] -> scores [B, H, T, S]
  Variable scores(const Variable& queries, const Variable& keys) override {
    check(queries.size(-1) == keys.size(-1), "dot score",
          "query width " + std::to_string(queries.size(-1)) + " differs from key width " +
              std::to_string(keys.size(-1)) + " (q . k needs Eq = Ek)");
    return matmul(queries, transpose(keys, -2, -1));  // [B, H, T, E] @ [B, H, E, S] -> [B, H, T, S]
  }
};

}  // namespace attn
