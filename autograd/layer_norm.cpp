// Layer normalisation over the last dimension: a fused op with hand-written backward.
//
// Ba, Kiros & Hinton 2016, "Layer Normalization", §3; applied to every sublayer's output in
// Vaswani et al. 2017, §3.1: LayerNorm(x + Sublayer(x)).
//   mu = mean(x),  var = mean((x - mu)^2),  xhat = (x - mu) / sqrt(var + eps)
//   y  = gamma * xhat + beta
// Backward, with rstd = 1 / sqrt(var + eps) and means over the last dimension:
//   dbeta  = sum over rows of g,   dgamma = sum over rows of g * xhat
//   dx     = rstd * (gamma g - mean(gamma g) - xhat * mean(gamma g * xhat))
// Both directions are kernels in tensor/layer_norm.h; this file saves xhat and rstd between
// them. The tests compare it with the same formula written in Variable ops.
#include "autograd/ops.h"

#include "tensor/layer_norm.h"

namespace attn {

Variable layer_norm(const Variable& x, const Variable& gamma, const Variable& beta, real eps) {
  const LayerNormForward forward =
      layer_norm_forward(x.value(), gamma.value(), beta.value(), eps);
  // saved: xhat [..., D] the normalised input, rstd [...] 1 / sqrt(var + eps) per row
  return Variable::make_result(
      forward.y, "layer_norm", {x, gamma, beta},
      [xhat = forward.xhat, rstd = forward.rstd, gamma = gamma.value()](const Tensor& g) {
        auto [grad_x, grad_gamma, grad_beta] = layer_norm_backward(g, xhat, rstd, gamma);
        return std::vector<Tensor>{grad_x, grad_gamma, grad_beta};
      });
}

}  // namespace attn
