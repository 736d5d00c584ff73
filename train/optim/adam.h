// Adam and AdamW (Kingma & Ba 2015, Algorithm 1; Loshchilov & Hutter 2019), t counting steps
// from 1:
//   g' = g + wd * p                          (Adam: L2 penalty folded into the gradient)
//   p  = p * (1 - lr * wd)                   (AdamW: decay decoupled from the gradient, applied
//                                             before the update)
//   m  = b1 * m + (1 - b1) * g               first moment: running mean of g
//   v  = b2 * v + (1 - b2) * g^2             second moment: running mean of g^2
//   mhat = m / (1 - b1^t),  vhat = v / (1 - b2^t)    bias correction: m, v start at 0
//   p  = p - lr * mhat / (sqrt(vhat) + eps)
//
// The numbers match torch.optim.Adam / AdamW to rounding (PyTorch computes m by lerp, the same
// value). One step costs one pass over each parameter's contiguous storage.
#pragma once

#include <cstdint>
#include <vector>

#include "train/optim/optimizer.h"

namespace attn {

struct AdamOptions {
  real learning_rate = 1e-3;  // alpha (Kingma & Ba 2015, Algorithm 1)
  real beta1 = 0.9;           // decay of the first-moment (mean) estimate, in [0, 1)
  real beta2 = 0.999;         // decay of the second-moment (uncentred variance) estimate, in [0, 1)
  real eps = 1e-8;            // added to sqrt(vhat) so a zero gradient never divides by zero
  real weight_decay = 0;      // L2 penalty added to the gradient (Adam) or decoupled (AdamW)
  bool decoupled_weight_decay = false;  // true: AdamW (Loshchilov & Hutter 2019)

  // The Transformer paper's settings, Vaswani et al. 2017, §5.3: "We used the Adam optimizer
  // with beta1 = 0.9, beta2 = 0.98 and eps = 10^-9" (the learning rate comes from a schedule).
  static AdamOptions transformer_paper();
};

class Adam : public Optimizer {
 public:
  Adam(NamedParameters parameters, const AdamOptions& options = {});
  Adam(const std::vector<Variable>& parameters, const AdamOptions& options = {});
  void step() override;

  // "adam.m.<name>" and "adam.v.<name>" per parameter, and the counter "adam_step".
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;

  // t in the update rule: the number of step() calls so far. One count serves every parameter;
  // PyTorch keeps one per parameter, which differs only for a parameter that has a gradient on
  // some steps and not on others.
  int64_t step_count() const { return step_count_; }

 private:
  void check_options() const;

  AdamOptions options_;  // options_.learning_rate is unused: the base class owns the rate
  std::vector<Tensor> first_moments_;   // m, one per parameter
  std::vector<Tensor> second_moments_;  // v, one per parameter
  int64_t step_count_ = 0;
};

}  // namespace attn
