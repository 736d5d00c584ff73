// Dropout: zero each activation with probability p during training (Srivastava et al. 2014).
//
//   training:  y = x * m / (1 - p),  m ~ Bernoulli(1 - p)      (inverted dropout)
//   eval:      y = x
// Scaling at training time keeps E[y] = x, so nothing changes at inference. The masks come from
// a generator shared by the whole model, so one seed fixes every mask of a training run.
#pragma once

#include "nn/module.h"
#include "tensor/random.h"

namespace attn {

class Dropout : public Module {
 public:
  Dropout(real p, Generator& generator);
  Variable forward(const Variable& x) const;
  real p() const { return p_; }

 private:
  real p_;
  Generator* generator_;
};

}  // namespace attn
