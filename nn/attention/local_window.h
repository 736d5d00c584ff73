// Local attention: each query looks only at a window of 2 D + 1 keys around a position p_t.
//
// Luong, Pham & Manning 2015, "Effective Approaches to Attention-based Neural Machine
// Translation", §3.2. Global attention scores every source position for every target word;
// local attention first picks an aligned position p_t, then attends within [p_t - D, p_t + D]:
//
//   local-m (monotonic):   p_t = t                                      the target position
//   local-p (predictive):  p_t = S * sigmoid(v_p^T tanh(W_p h_t))       S: this source's length
//   a_t(s) = align(h_t, h_s)                                 s in the window, 0 outside
//   a_t(s) = align(h_t, h_s) * exp(-(s - p_t)^2 / (2 sigma^2)),  sigma = D / 2   (local-p)
//
// align is the softmax over the window of any score function (dot, general, additive, ...):
// LocalWindow wraps the score, restricts its keys before the softmax (restrict_keys) and, for
// local-p, multiplies the Gaussian in after it (reweight). As in the paper the product is not
// renormalised, and the gradient reaches W_p and v_p through the Gaussian alone (the window's
// edges are not differentiable). The paper used D = 10.
//
// Two choices the paper leaves open: positions count from 0, and local-m clamps p_t to the
// source's last position, so that a target longer than its source still sees a window of keys.
// A row's source length S comes from the attention mask (its real positions).
//
// W_p [R, R] and v_p [R], R the query width, are initialised Xavier-uniform.
#pragma once

#include <cstdint>
#include <memory>

#include "nn/attention/score_function.h"
#include "tensor/random.h"

namespace attn {

enum class WindowKind {
  global,      // every key: no window
  monotonic,   // local-m, p_t = t
  predictive,  // local-p, p_t predicted from the query
};

class LocalWindow : public ScoreFunction {
 public:
  // Wraps `score`. half_width: D. query_dim: the queries' width R (W_p's size, local-p only).
  LocalWindow(std::unique_ptr<ScoreFunction> score, WindowKind kind, int64_t half_width,
              int64_t query_dim, Generator& generator);

  Variable prepare_keys(const Variable& keys) override { return score_->prepare_keys(keys); }
  Variable scores(const Variable& queries, const Variable& keys,
                  const ScoreContext& context) override {
    return score_->scores(queries, keys, context);
  }
  bool uses_history() const override { return score_->uses_history(); }
  // The window, [..., T, S]: 1 where |s - p_t| <= D; joined with the wrapped score's own mask.
  Tensor restrict_keys(const Variable& queries, const Variable& keys,
                       const ScoreContext& context) override;
  // The wrapped score's reweight, then for local-p the Gaussian around p_t.
  Variable reweight(const Variable& weights, const Variable& queries,
                    const ScoreContext& context) override;

  // queries [..., T, R] -> the window centres p_t [..., T, 1], for keys [..., S, *].
  Variable centres(const Variable& queries, const ScoreContext& context, int64_t S) const;

  WindowKind kind() const { return kind_; }
  int64_t half_width() const { return half_width_; }

  Variable w_p;  // W_p [R, R], local-p only
  Variable v_p;  // v_p [R], local-p only

 private:
  std::unique_ptr<ScoreFunction> score_;
  WindowKind kind_;
  int64_t half_width_;
};

}  // namespace attn
