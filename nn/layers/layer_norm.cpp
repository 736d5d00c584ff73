// LayerNorm as a module: owns gamma and beta and calls the fused op (see layer_norm.h).
//
//   y = gamma * (x - mu) / sqrt(var + eps) + beta       over the last dimension
// The forward and the hand-written backward are in autograd/layer_norm.cpp and
// tensor/layer_norm.cpp, checked there against the same formula written in Variable ops.
#include "nn/layers/layer_norm.h"

#include "autograd/ops.h"
#include "tensor/error.h"

namespace attn {

LayerNorm::LayerNorm(int64_t dim, real eps) : eps_(eps) {
  check(dim > 0, "LayerNorm", [&] { return "dim must be positive, got " + std::to_string(dim); });
  check(eps >= 0, "LayerNorm", [&] { return "eps must be >= 0, got " + std::to_string(eps); });
  weight = register_parameter("weight", Tensor::ones({dim}));
  bias = register_parameter("bias", Tensor::zeros({dim}));
}

Variable LayerNorm::forward(const Variable& x) const {
  check(x.ndim() >= 1 && x.size(-1) == weight.size(0), "LayerNorm", [&] {
    return "input " + to_string(x.shape()) + " must end in the normalised size " +
           std::to_string(weight.size(0));
  });
  return layer_norm(x, weight, bias, eps_);  // [..., D]
}

}  // namespace attn
