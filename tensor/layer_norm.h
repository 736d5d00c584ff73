// Layer normalisation over the last dimension, forward and backward (Ba et al. 2016).
//
//   mu = mean(x),  var = mean((x - mu)^2)          (biased variance, as the paper)
//   xhat = (x - mu) / sqrt(var + eps)               (eps inside the square root)
//   y = gamma * xhat + beta
//
// Backward, with rstd = 1 / sqrt(var + eps), g = dL/dy, and means over the last dimension (size D):
//   dbeta  = sum over rows of g
//   dgamma = sum over rows of g * xhat
//   dx     = rstd * (gamma*g - mean(gamma*g) - xhat * mean(gamma*g * xhat))
#pragma once

#include "tensor/tensor.h"

namespace attn {

struct LayerNormForward {
  Tensor y;     // [..., D] the output
  Tensor xhat;  // [..., D] the normalised input, saved for backward
  Tensor rstd;  // [...]    1 / sqrt(var + eps) per row, saved for backward
};

struct LayerNormBackward {
  Tensor grad_x;      // [..., D]
  Tensor grad_gamma;  // [D]
  Tensor grad_beta;   // [D]
};

LayerNormForward layer_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                    real eps);
LayerNormBackward layer_norm_backward(const Tensor& grad_y, const Tensor& xhat,
                                      const Tensor& rstd, const Tensor& gamma);

}  // namespace attn
