// Stochastic gradient descent with momentum (Polyak 1964; PyTorch's form, no dampening):
//   g' = g + wd * p                          (L2 penalty, when weight_decay > 0)
//   b  = mu * b + g'                         (b = 0 before the first step)
//   p  = p - lr * b
// The numbers match torch.optim.SGD to rounding.
#pragma once

#include <vector>

#include "train/optim/optimizer.h"

namespace attn {

class SGD : public Optimizer {
 public:
  SGD(NamedParameters parameters, real learning_rate, real momentum = 0, real weight_decay = 0);
  SGD(const std::vector<Variable>& parameters, real learning_rate, real momentum = 0,
      real weight_decay = 0);
  void step() override;

  // "sgd.b.<name>" per parameter when momentum is on; nothing otherwise.
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;

 private:
  real momentum_;                   // mu: 0 is plain gradient descent
  real weight_decay_;               // wd: L2 penalty added to the gradient
  std::vector<Tensor> velocities_;  // b, one per parameter; empty when momentum is 0
};

}  // namespace attn
