// Linear: y = x W^T + b over the last dimension (see linear.h).
//
// Initialisation as torch.nn.Linear (its kaiming_uniform with a = sqrt(5) works out to this):
//   W, b ~ U(-k, k),   k = 1 / sqrt(in)
// so each output starts with variance ~ 1/3 of the input's, whatever the layer's width.
#include "nn/layers/linear.h"

#include <cmath>

#include "autograd/ops.h"
#include "tensor/error.h"

namespace attn {

Linear::Linear(int64_t in_features, int64_t out_features, Generator& generator,
               bool with_bias) {
  check(in_features > 0 && out_features > 0, "Linear", [&] {
    return "features must be positive, got in " + std::to_string(in_features) + ", out " +
           std::to_string(out_features);
  });
  const real k = real(1 / std::sqrt(double(in_features)));
  weight = register_parameter("weight", uniform({out_features, in_features}, -k, k, generator));
  if (with_bias) bias = register_parameter("bias", uniform({out_features}, -k, k, generator));
}

Variable Linear::forward(const Variable& x) const {
  Variable y = matmul(x, transpose(weight, 0, 1));  // [..., in] @ [in, out] -> [..., out]
  return bias.defined() ? y + bias : y;             // [out] broadcasts over every row
}

}  // namespace attn
