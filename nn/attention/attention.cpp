// Attention's fixed plumbing: score, mask, softmax, dropout, weighted sum (see attention.h).
//
//   E = score(Q, K)                              [B, H, T, S]
//   E = masked_fill(E, mask == 0, -inf)          exp(-inf) = 0: masked keys get exactly 0 weight
//   A = softmax(E, over s)                       a fully masked row gives zeros, not 0/0
//   C = dropout(A) @ V                           [B, H, T, Ev]
// Backward needs nothing special: masked_fill sends no gradient to the filled scores, and the
// softmax backward dx = y * (g - <g, y>) is 0 wherever y is 0, fully masked rows included.
#include "nn/attention/attention.h"

#include <limits>

#include "autograd/ops.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"

namespace attn {

namespace {

constexpr real kMinusInf = -std::numeric_limits<real>::infinity();


void check_shapes(const Variable& queries, const Variable& keys, const Variable& values) {
  check(queries.ndim() == 4, "attention",
        "queries must be [B, H, T, Eq], got " + to_string(queries.shape()));
  check(keys.ndim() == 4, "attention",
        "keys must be [B, H, S, Ek], got " + to_string(keys.shape()));
  check(values.ndim() == 4, "attention",
        "values must be [B, H, S, Ev], got " + to_string(values.shape()));
  check(keys.size(0) == values.size(0) && keys.size(1) == values.size(1) &&
            keys.size(2) == values.size(2),
        "attention",
        "keys " + to_string(keys.shape()) + " and values " + to_string(values.shape()) +
            " must agree on [B, H, S]");
  check(queries.size(0) == keys.size(0) && queries.size(1) == keys.size(1), "attention",
        "queries " + to_string(queries.shape()) + " and keys " + to_string(keys.shape()) +
            " must agree on [B, H]");
}

}  // namespace

AttentionResult attend(ScoreFunction& score, const Variable& queries, const Variable& keys,
                       const Variable& values, const Tensor& mask, const Dropout* dropout) {
  check_shapes(queries, keys, values);
  const Shape scores_shape{queries.size(0), queries.size(1), queries.size(2), keys.size(2)};

  Variable scores = score.scores(queries, keys);  // [B, H, T, S]
  check(scores.shape() == scores_shape, "attention",
        "the score function returned " + to_string(scores.shape()) + " for queries " +
            to_string(queries.shape()) + " and keys " + to_string(keys.shape()) +
            "; expected [B, H, T, S] = " + to_string(scores_shape));

  if (mask.defined()) {
    check(broadcasts_to(mask.shape(), scores_shape), "attention",
          "mask " + to_string(mask.shape()) + " does not broadcast to the scores [B, H, T, S] = " +
              to_string(scores_shape));
    // The one place a mask becomes -inf: where the mask says 0 (may not attend).
    scores = masked_fill(scores, eq(mask, Tensor::scalar(0)), kMinusInf);  // [B, H, T, S]
  }

  Variable weights = softmax(scores, -1);                         // [B, H, T, S]
  Variable kept = dropout ? dropout->forward(weights) : weights;  // [B, H, T, S]
  Variable context = matmul(kept, values);  // [B, H, T, S] @ [B, H, S, Ev] -> [B, H, T, Ev]
  return {context, weights};
}

}  // namespace attn
