// Dot-product score: how far each key points the query's way.
//
//   e[t, s] = q_t . k_s = sum_i q_t[i] k_s[i]           queries [..., T, E], keys [..., S, E]
//   E = Q K^T                                          scores  [..., T, S]
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
  explicit DotScore(const ScoreSpec& spec) { check_no_settings(spec, "dot score"); }

  // queries [..., T, E], keys [..., S, E] -> scores [..., T, S]
  Variable scores(const Variable& queries, const Variable& keys, const ScoreContext&) override {
    check(queries.size(-1) == keys.size(-1), "dot score", [&] {
      return "query width " + std::to_string(queries.size(-1)) + " differs from key width " +
             std::to_string(keys.size(-1)) + " (q . k needs Eq = Ek)";
    });
    return matmul(queries, transpose(keys, -2, -1));  // [..., T, E] @ [..., E, S] -> [..., T, S]
  }

  real dot_product_scale(int64_t) const override { return 1; }
};

}  // namespace attn
