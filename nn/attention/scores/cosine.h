// Cosine score: the angle between query and key, sharpened by a learned key strength beta.
//
//   e[t, s] = beta * cos(q_t, k_s) = beta * (q_t . k_s) / (|q_t| |k_s|)
//   |x| = sqrt(sum_i x_i^2 + eps)           eps inside the norm: a zero vector scores 0, not NaN
//
// Graves, Wayne & Danihelka 2014, "Neural Turing Machines", §3.3.1 (focusing by content): the
// weight on memory row i is exp(beta K[k, M(i)]) / sum_j exp(beta K[k, M(j)]), K the cosine
// similarity and beta the key strength. In the NTM the controller emits beta at every step; here
// beta is one learned scalar. cos lies in [-1, 1], so without beta the softmax could never be
// sharp. beta starts at sqrt(Eq): for random vectors with unit-variance entries |q| |k| ~ d_k,
// so sqrt(d_k) cos(q, k) ~ q . k / sqrt(d_k), and the score starts on scaled_dot's scale.
#pragma once

#include <cmath>
#include <string>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "tensor/error.h"

namespace attn {

class CosineScore : public ScoreFunction {
 public:
  explicit CosineScore(const ScoreSpec& spec) {
    check_no_settings(spec, "cosine score");
    check(spec.query_dim > 0, "cosine score",
          "needs spec.query_dim, got " + std::to_string(spec.query_dim));
    const real strength = static_cast<real>(std::sqrt(static_cast<double>(spec.query_dim)));
    beta = register_parameter("beta", Tensor::scalar(strength));
  }

  // queries [..., T, E], keys [..., S, E] -> scores [..., T, S]
  Variable scores(const Variable& queries, const Variable& keys, const ScoreContext&) override {
    check(queries.size(-1) == keys.size(-1), "cosine score",
          "query width " + std::to_string(queries.size(-1)) + " differs from key width " +
              std::to_string(keys.size(-1)) + " (cos(q, k) needs Eq = Ek)");
    Variable q = queries / norm(queries);            // [..., T, E] / [..., T, 1]: unit rows
    Variable k = keys / norm(keys);                  // [..., S, E] / [..., S, 1]: unit rows
    Variable cos = matmul(q, transpose(k, -2, -1));  // [..., T, E] @ [..., E, S] -> [..., T, S]
    return cos * beta;                               // [..., T, S] * [] -> [..., T, S]
  }

  Variable beta;  // key strength, a scalar []

 private:
  static constexpr real eps = 1e-8;
  // x [..., E] -> |x| [..., 1]
  static Variable norm(const Variable& x) { return sqrt(sum(x * x, -1, true) + eps); }
};

}  // namespace attn
