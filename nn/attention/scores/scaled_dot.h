// Scaled dot-product score: the Transformer's.
//
//   e[t, s] = q_t . k_s / sqrt(d_k)                    queries [..., T, d_k], keys [..., S, d_k]
//   E = Q K^T / sqrt(d_k)                              scores  [..., T, S]
//
// Vaswani et al. 2017, "Attention Is All You Need", §3.2.1: "We suspect that for large values of
// d_k, the dot products grow large in magnitude, pushing the softmax function into regions where
// it has extremely small gradients. To counteract this effect, we scale the dot products by
// 1/sqrt(d_k)." With unit-variance entries, q . k has variance d_k; divided by sqrt(d_k) it has
// variance 1 whatever the head width. No parameters.
#pragma once

#include <cmath>
#include <string>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "tensor/error.h"

namespace attn {

class ScaledDotScore : public ScoreFunction {
 public:
  explicit ScaledDotScore(const ScoreSpec& spec) { check_no_settings(spec, "scaled_dot score"); }

  // queries [..., T, d_k], keys [..., S, d_k] -> scores [..., T, S]
  Variable scores(const Variable& queries, const Variable& keys, const ScoreContext&) override {
    const int64_t d_k = keys.size(-1);
    check(queries.size(-1) == d_k, "scaled_dot score", [&] {
      return "query width " + std::to_string(queries.size(-1)) + " differs from key width " +
             std::to_string(d_k) + " (q . k needs Eq = Ek)";
    });
    return matmul(queries, transpose(keys, -2, -1)) * dot_product_scale(d_k);  // [..., T, S]
  }

  real dot_product_scale(int64_t d_k) const override {
    return static_cast<real>(1.0 / std::sqrt(static_cast<double>(d_k)));
  }
};

}  // namespace attn
