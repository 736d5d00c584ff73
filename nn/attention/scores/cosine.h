// Cosine score: the angle between query and key, sharpened by a key strength beta.
//
//   e[t, s] = beta * cos(q_t, k_s) = beta * (q_t . k_s) / (|q_t| |k_s|)
//   |x| = sqrt(sum_i x_i^2 + eps)           eps inside the norm: a zero vector scores 0, not NaN
//
// Graves, Wayne & Danihelka 2014, "Neural Turing Machines", §3.3.1 (focusing by content): the
// weight on memory row i is exp(beta K[k, M(i)]) / sum_j exp(beta K[k, M(j)]), K the cosine
// similarity and beta the key strength. cos lies in [-1, 1], so without beta the softmax could
// never be sharp. Where beta comes from is the one setting:
//   strength=learned (default)  one learned scalar, starting at sqrt(Eq): for random vectors with
//                               unit-variance entries |q| |k| ~ d_k, so the score starts on
//                               scaled_dot's scale, sqrt(d_k) cos(q, k) ~ q . k / sqrt(d_k);
//   strength=query              the query's last column, as the NTM's controller emits a beta
//                               with every key (models/ntm/): queries [..., T, Ek + 1], the key
//                               its first Ek columns. The caller keeps it >= 0 (softplus).
#pragma once

#include <cmath>
#include <string>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "nn/settings.h"
#include "tensor/error.h"

namespace attn {

class CosineScore : public ScoreFunction {
 public:
  enum class Strength { learned, query };

  explicit CosineScore(const ScoreSpec& spec) {
    check(spec.query_dim > 0, "cosine score",
          [&] { return "needs spec.query_dim, got " + std::to_string(spec.query_dim); });
    Settings settings = {choice_setting("strength", strength_, "where the key strength beta comes from",
                                        {{"learned", Strength::learned}, {"query", Strength::query}})};
    apply_settings_text(settings, spec.settings, "cosine score");
    if (strength_ == Strength::learned) {
      const real start = static_cast<real>(std::sqrt(static_cast<double>(spec.query_dim)));
      beta = register_parameter("beta", Tensor::scalar(start));
    }
  }

  // queries [..., T, E] (strength=query: [..., T, E + 1]), keys [..., S, E] -> scores [..., T, S]
  Variable scores(const Variable& queries, const Variable& keys, const ScoreContext&) override {
    const int64_t E = keys.size(-1);
    const int64_t expected = strength_ == Strength::query ? E + 1 : E;
    check(queries.size(-1) == expected, "cosine score", [&] {
      return "query width " + std::to_string(queries.size(-1)) + " does not fit key width " +
             std::to_string(E) +
             (strength_ == Strength::query ? " (strength=query needs Eq = Ek + 1: key, beta)"
                                           : " (cos(q, k) needs Eq = Ek)");
    });
    Variable key = narrow(queries, -1, 0, E);        // [..., T, E]
    Variable q = key / norm(key);                    // [..., T, E] / [..., T, 1]: unit rows
    Variable k = keys / norm(keys);                  // [..., S, E] / [..., S, 1]: unit rows
    Variable cos = matmul(q, transpose(k, -2, -1));  // [..., T, E] @ [..., E, S] -> [..., T, S]
    if (strength_ == Strength::learned) return cos * beta;  // [..., T, S] * [] -> [..., T, S]
    return cos * narrow(queries, -1, E, 1);          // [..., T, S] * [..., T, 1] -> [..., T, S]
  }

  Variable beta;  // key strength, a scalar [] (strength=learned only)

 private:
  static constexpr real eps = 1e-8;
  // x [..., E] -> |x| [..., 1]
  static Variable norm(const Variable& x) { return sqrt(sum(x * x, -1, true) + eps); }

  Strength strength_ = Strength::learned;
};

}  // namespace attn
