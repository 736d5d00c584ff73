// Joining tensors: concat along an existing dimension, stack along a new one.
//
//   concat([A [2,3], B [4,3]], 0) -> [6,3]       stack([A [2,3], B [2,3]], 0) -> [2,2,3]
// Their adjoints are narrow() back into the pieces, so no separate backward kernel is needed.
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace attn {

Tensor concat(const std::vector<Tensor>& tensors, int dim);
Tensor stack(const std::vector<Tensor>& tensors, int dim);

}  // namespace attn
