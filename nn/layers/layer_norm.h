// LayerNorm: normalise each position's features to zero mean and unit variance, then rescale.
//
// Ba, Kiros & Hinton 2016, applied after every sublayer in Vaswani et al. 2017 (§3.1, §5.4):
//   mu = mean(x),  var = mean((x - mu)^2),  y = gamma * (x - mu) / sqrt(var + eps) + beta
// over the last dimension, with the paper's choices: biased variance (divide by D, not D - 1)
// and eps inside the square root. The Annotated Transformer's std + eps differs from both.
// gamma starts at ones and beta at zeros, so a fresh layer is the plain normalisation.
#pragma once

#include "nn/module.h"

namespace attn {

class LayerNorm : public Module {
 public:
  // dim: the size of the normalised last dimension; eps: added to the variance, for stability.
  explicit LayerNorm(int64_t dim, real eps = 1e-5);
  // x [..., dim] -> [..., dim]
  Variable forward(const Variable& x) const;
  real eps() const { return eps_; }

  Variable weight;  // gamma [dim], ones
  Variable bias;    // beta [dim], zeros

 private:
  real eps_;
};

}  // namespace attn
