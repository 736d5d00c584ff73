// Location-based score: where to look is predicted from the query alone, one logit per position.
//
//   a_t = softmax(W_a h_t)          W_a [L, Eq], L the longest source it can score
//   e[t, s] = (W_a q_t)[s]          for s < S; the keys are not used at all
//
// Luong, Pham & Manning 2015, "Effective Approaches to Attention-based Neural Machine
// Translation", §3.1, the "location" function. It learns positions, not content: "attend to
// source word 3 when the decoder is in this state". A source longer than L has positions with
// no logit, which is an error. Setting: length=L (default 256). W_a is initialised
// Xavier-uniform from spec.seed.
#pragma once

#include <string>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "nn/settings.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace attn {

class LocationScore : public ScoreFunction {
 public:
  explicit LocationScore(const ScoreSpec& spec) {
    check(spec.query_dim > 0, "location score",
          [&] { return "needs spec.query_dim, got " + std::to_string(spec.query_dim); });
    int64_t length = 256;
    Settings settings = {integer_setting("length", length, "longest source L", 1, 1 << 20)};
    apply_settings_text(settings, spec.settings, "location score");
    Generator generator(spec.seed);
    weight = register_parameter("weight", xavier_uniform({length, spec.query_dim}, generator));
  }

  // queries [..., T, Eq], keys [..., S, Ek] (only S is read) -> scores [..., T, S]
  Variable scores(const Variable& queries, const Variable& keys, const ScoreContext&) override {
    const int64_t S = keys.size(-2), length = weight.size(0);
    check(S <= length, "location score", [&] {
      return "source length " + std::to_string(S) +
             " exceeds its setting length=" + std::to_string(length);
    });
    check(queries.size(-1) == weight.size(1), "location score", [&] {
      return "W_a is " + to_string(weight.shape()) + " = [L, Eq], got query width " +
             std::to_string(queries.size(-1));
    });
    Variable w_a = transpose(weight, 0, 1);  // [Eq, L]
    Variable logits = matmul(queries, w_a);  // [..., T, Eq] @ [Eq, L] -> [..., T, L]
    return narrow(logits, -1, 0, S);         // [..., T, S]: the logits of the first S positions
  }

  Variable weight;  // W_a [L, Eq]
};

}  // namespace attn
