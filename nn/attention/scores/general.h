// General (bilinear) score: a learned matrix decides which query and key features should match.
//
//   e[t, s] = q_t^T W k_s                              W [Eq, Ek]
//   E = Q (K W^T)^T                          [..., S, Ek] -> [..., S, Eq];  [..., T, S]
//
// Luong, Pham & Manning 2015, "Effective Approaches to Attention-based Neural Machine
// Translation", §3.1, the "general" score. With W = I it is the dot score; a learned W lets a
// query feature i reward a key feature j != i, and queries and keys may have different widths.
// W k_s does not depend on the query, so it is computed once per key sequence (prepare_keys)
// and kept in the decoder's cache; each decoding step is then one dot product per key.
// W is initialised Xavier-uniform (Glorot & Bengio 2010) from spec.seed.
#pragma once

#include <string>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace attn {

class GeneralScore : public ScoreFunction {
 public:
  explicit GeneralScore(const ScoreSpec& spec) {
    check_no_settings(spec, "general score");
    check(spec.query_dim > 0 && spec.key_dim > 0, "general score", [&] {
      return "needs spec.query_dim and spec.key_dim, got " + std::to_string(spec.query_dim) +
             " and " + std::to_string(spec.key_dim);
    });
    Generator generator(spec.seed);
    weight =
        register_parameter("weight", xavier_uniform({spec.query_dim, spec.key_dim}, generator));
  }

  // keys [..., S, Ek] -> W k [..., S, Eq]
  Variable prepare_keys(const Variable& keys) override {
    check(keys.size(-1) == weight.size(1), "general score", [&] {
      return "W is " + to_string(weight.shape()) + " = [Eq, Ek], got key width " +
             std::to_string(keys.size(-1));
    });
    return matmul(keys, transpose(weight, 0, 1));  // [..., S, Ek] @ [Ek, Eq] -> [..., S, Eq]
  }

  // queries [..., T, Eq], prepared keys [..., S, Eq] -> scores [..., T, S]
  Variable scores(const Variable& queries, const Variable& keys, const ScoreContext&) override {
    check(queries.size(-1) == weight.size(0), "general score", [&] {
      return "W is " + to_string(weight.shape()) + " = [Eq, Ek], got query width " +
             std::to_string(queries.size(-1));
    });
    return matmul(queries, transpose(keys, -2, -1));  // [..., T, Eq] @ [..., Eq, S] -> [..., T, S]
  }

  Variable weight;  // W [Eq, Ek]
};

}  // namespace attn
