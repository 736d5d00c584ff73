// Local attention's window (see local_window.h): Luong et al. 2015, §3.2.
#include "nn/attention/local_window.h"

#include <string>

#include "autograd/ops.h"
#include "nn/attention/mask.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/reduce.h"

namespace attn {

namespace {

// Each query row's source length: the real positions of context.mask, [..., 1 or T, 1]; S when
// there is no mask.
Tensor source_lengths(const ScoreContext& context, int64_t S) {
  if (!context.mask.defined()) return Tensor::scalar(static_cast<real>(S));
  return sum(ne(context.mask, Tensor::scalar(0)), -1, /*keepdim=*/true);  // [..., 1 or T, 1]
}

// 0, 1, ..., S - 1 as a row: [S]
Tensor key_positions(int64_t S) { return Tensor::arange(S); }

}  // namespace

LocalWindow::LocalWindow(std::unique_ptr<ScoreFunction> score, WindowKind kind, int64_t half_width,
                         int64_t query_dim, Generator& generator)
    : score_(std::move(score)), kind_(kind), half_width_(half_width) {
  check(score_ != nullptr, "local window", "needs a score function to wrap");
  check(half_width >= 1, "local window",
        [&] { return "half-width D must be at least 1, got " + std::to_string(half_width); });
  register_module("score", *score_);
  if (kind == WindowKind::predictive) {
    check(query_dim > 0, "local window", "local-p needs the query width");
    w_p = register_parameter("w_p", xavier_uniform({query_dim, query_dim}, generator));
    v_p = register_parameter("v_p", xavier_uniform({query_dim}, generator));
  }
}

Variable LocalWindow::centres(const Variable& queries, const ScoreContext& context,
                              int64_t S) const {
  const Tensor lengths = source_lengths(context, S);  // [..., 1 or T, 1]
  if (kind_ == WindowKind::predictive) {
    // p_t = S sigmoid(v_p^T tanh(W_p h_t))
    const Variable hidden = tanh(matmul(queries, transpose(w_p, 0, 1)));  // [..., T, R]
    const Variable z = matmul(hidden, unsqueeze(v_p, 1));  // [..., T, R] @ [R, 1] -> [..., T, 1]
    return sigmoid(z) * Variable(lengths);                 // [..., T, 1]
  }
  // local-m: p_t = t, the query's absolute position, clamped to the source's last position
  const int64_t T = queries.size(-2);
  const Tensor t = add_scalar(Tensor::arange(T), static_cast<real>(context.query_offset));
  const Tensor last = add_scalar(lengths, -1);                    // [..., 1 or T, 1]
  const Tensor p = neg(maximum(neg(t.view({T, 1})), neg(last)));  // min(t, last): [..., T, 1]
  return Variable(maximum(p, Tensor::scalar(0)));                 // an empty row: p = 0
}

Tensor LocalWindow::restrict_keys(const Variable& queries, const Variable& keys,
                                  const ScoreContext& context) {
  const Tensor own = score_->restrict_keys(queries, keys, context);
  if (kind_ == WindowKind::global) return own;
  const int64_t S = keys.size(-2);
  Tensor p;  // [..., T, 1]; only its value: the window's edges carry no gradient
  {
    NoGradGuard no_grad;
    p = centres(queries, context, S).value();
  }
  // |s - p_t| <= D, [..., T, S]
  const Tensor window =
      le(abs(sub(key_positions(S), p)), Tensor::scalar(static_cast<real>(half_width_)));
  return own.defined() ? combine_masks(own, window) : window;
}

Variable LocalWindow::reweight(const Variable& weights, const Variable& queries,
                               const ScoreContext& context) {
  const Variable aligned = score_->reweight(weights, queries, context);  // [..., T, S]
  if (kind_ != WindowKind::predictive) return aligned;
  // a_t(s) * exp(-(s - p_t)^2 / (2 sigma^2)), sigma = D / 2
  const int64_t S = weights.size(-1);
  const Variable p = centres(queries, context, S);           // [..., T, 1]
  const Variable distance = Variable(key_positions(S)) - p;  // [..., T, S]
  const real sigma = static_cast<real>(half_width_) / 2;
  const Variable gaussian = exp(distance * distance * (-1 / (2 * sigma * sigma)));  // [..., T, S]
  return aligned * gaussian;
}

}  // namespace attn
