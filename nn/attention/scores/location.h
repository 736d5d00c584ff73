// Location-based score: where to look is predicted from the query alone, one logit per position.
//
//   a_t = softmax(W_a h_t)          W_a [max_source_length, Eq]
//   e[t, s] = (W_a q_t)[s]          for s < S; the keys are not used at all
//
// Luong, Pham & Manning 2015, "Effective Approaches to Attention-based Neural Machine
// Translation", §3.1, the "location" function. It learns positions, not content: "attend to
// source word 3 when the decoder is in this state". A source longer than max_source_length has
// positions with no logit, which is an error. W_a is initialised Xavier-uniform from spec.seed.
#pragma once

#include <string>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace attn {

class LocationScore : public ScoreFunction {
 public:
  explicit LocationScore(const ScoreSpec& spec) {
    check(spec.query_dim > 0 && spec.max_source_length > 0, "location score",
          "needs spec.query_dim and spec.max_source_length, got " +
              std::to_string(spec.query_dim) + " and " + std::to_string(spec.max_source_length));
    Generator generator(spec.seed);
    weight = register_parameter(
        "weight", xavier_uniform({spec.max_source_length, spec.query_dim}, generator));
  }

  // queries [B, H, T, Eq], keys [B, H, S, Ek] (only S is read) -> scores [B, H, T, S]
  Variable scores(const Variable& queries, const Variable& keys) override {
    const int64_t S = keys.size(-2), max_source_length = weight.size(0);
    check(S <= max_source_length, "location score",
          "source length " + std::to_string(S) + " exceeds max_source_length " +
              std::to_string(max_source_length));
    check(queries.size(-1) == weight.size(1), "location score",
          "W_a is " + to_string(weight.shape()) + " = [max_source_length, Eq], got query width " +
              std::to_string(queries.size(-1)));
    Variable w_a = transpose(weight, 0, 1);  // [Eq, L], L = max_source_length
    Variable logits = matmul(queries, w_a);  // [B, H, T, Eq] @ [Eq, L] -> [B, H, T, L]
    return narrow(logits, -1, 0, S);         // [B, H, T, S]: the logits of the first S positions
  }

  Variable weight;  // W_a [max_source_length, Eq]
};

}  // namespace attn
