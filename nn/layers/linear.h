// Linear: the affine map y = x W^T + b, applied to the last dimension.
//
//   x [..., in] -> y [..., out],   W [out, in],   b [out]
// W is stored [out, in] as in PyTorch, so a checkpoint's shapes read the same in both; x W^T
// reads W through transposed strides, without a copy. Initialised as torch.nn.Linear:
// W, b ~ U(-1/sqrt(in), 1/sqrt(in)).
#pragma once

#include "nn/module.h"
#include "tensor/random.h"

namespace attn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, Generator& generator, bool bias = true);
  // x [..., in] -> [..., out]
  Variable forward(const Variable& x) const;

  Variable weight;  // [out, in]
  Variable bias;    // [out], undefined when built without bias
};

}  // namespace attn
