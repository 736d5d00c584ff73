// Optimisers: turn the gradients that backward() accumulated into parameter updates.
//
//   SGD with momentum (Polyak 1964; PyTorch's form, no dampening):
//     g' = g + wd * p                          (L2 penalty, when weight_decay > 0)
//     b  = mu * b + g'                         (b = 0 before the first step)
//     p  = p - lr * b
//
//   Adam (Kingma & Ba 2015, Algorithm 1), t counting steps from 1:
//     g' = g + wd * p                          (Adam: L2 penalty folded into the gradient)
//     p  = p * (1 - lr * wd)                   (AdamW, Loshchilov & Hutter 2019: decay decoupled
//                                               from the gradient, applied before the update)
//     m  = b1 * m + (1 - b1) * g               first moment: running mean of g
//     v  = b2 * v + (1 - b2) * g^2             second moment: running mean of g^2
//     mhat = m / (1 - b1^t),  vhat = v / (1 - b2^t)    bias correction: m, v start at 0
//     p  = p - lr * mhat / (sqrt(vhat) + eps)
//
// The numbers match torch.optim.SGD / Adam / AdamW to rounding (PyTorch computes m by lerp, the
// same value). One step costs one pass over each parameter's contiguous storage, with no
// temporary tensors, and records no graph: updates are written straight into
// Variable::mutable_value().
//
// The usual loop:   optimizer.zero_grad();  loss.backward();  optimizer.step();
#pragma once

#include <cstdint>
#include <vector>

#include "autograd/variable.h"

namespace attn {

// The common part of every optimiser: the parameters it updates and the learning rate.
class Optimizer {
 public:
  explicit Optimizer(std::vector<Variable> parameters, real learning_rate);
  virtual ~Optimizer() = default;

  // One update from the parameters' accumulated gradients; parameters without a gradient (not
  // reached by backward since the last zero_grad) are left untouched, state included.
  virtual void step() = 0;
  // Clears every parameter's gradient (gradients accumulate until this is called).
  void zero_grad();

  void set_learning_rate(real learning_rate);
  real learning_rate() const;
  const std::vector<Variable>& parameters() const;

 protected:
  std::vector<Variable> parameters_;  // handles sharing the model's parameters
  real learning_rate_;                // lr in the update rules above
};

struct AdamOptions {
  real learning_rate = 1e-3;  // alpha (Kingma & Ba 2015, Algorithm 1)
  real beta1 = 0.9;           // decay of the first-moment (mean) estimate, in [0, 1)
  real beta2 = 0.999;         // decay of the second-moment (uncentred variance) estimate, in [0, 1)
  real eps = 1e-8;            // added to sqrt(vhat) so a zero gradient never divides by zero
  real weight_decay = 0;      // L2 penalty added to the gradient (Adam) or decoupled (AdamW)
  bool decoupled_weight_decay = false;  // true: AdamW (Loshchilov & Hutter 2019)
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Variable> parameters, const AdamOptions& options = {});
  void step() override;

  // t in the update rule: the number of step() calls so far. One count serves every parameter;
  // PyTorch keeps one per parameter, which differs only for a parameter that has a gradient on
  // some steps and not on others.
  int64_t step_count() const;
  void set_step_count(int64_t step_count);

  // Moment estimates m and v, for checkpoints: first_moments()[i] and second_moments()[i]
  // belong to parameters()[i] and have its shape (zeros before the first step).
  std::vector<Tensor>& first_moments();
  std::vector<Tensor>& second_moments();
  const std::vector<Tensor>& first_moments() const;
  const std::vector<Tensor>& second_moments() const;

 private:
  AdamOptions options_;  // options_.learning_rate is unused: the base class owns the rate
  std::vector<Tensor> first_moments_;   // m, one per parameter
  std::vector<Tensor> second_moments_;  // v, one per parameter
  int64_t step_count_ = 0;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Variable> parameters, real learning_rate, real momentum = 0,
      real weight_decay = 0);
  void step() override;

 private:
  real momentum_;      // mu: 0 is plain gradient descent
  real weight_decay_;  // wd: L2 penalty added to the gradient
  std::vector<Tensor> velocities_;  // b, one per parameter; empty when momentum is 0
};

// Scales all gradients together so that their global L2 norm, sqrt(sum over every gradient
// element of g^2), is at most max_norm (Pascanu et al. 2013, §3.2). As torch.nn.utils.
// clip_grad_norm_: scale = max_norm / (norm + 1e-6), applied only when below 1. Parameters
// without a gradient are ignored. Returns the norm before clipping.
real clip_grad_norm(const std::vector<Variable>& parameters, real max_norm);

}  // namespace attn
