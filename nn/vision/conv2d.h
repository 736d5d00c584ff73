// Conv2d: a learned two-dimensional convolution, the layer of a convolutional image encoder.
//
//   x [B, C, H, W] -> y [B, O, H', W'],   weight [O, C, K, K],   bias [O]
//   y[b, o] = bias[o] + sum_c weight[o, c] (*) x[b, c]        (*): cross-correlation, tensor/conv2d.h
// LeCun et al. 1998, §II.A. Stored as torch.nn.Conv2d stores it, so the shapes read the same.
// Initialised as torch.nn.Conv2d: weight, bias ~ U(-k, k), k = 1 / sqrt(C K K), the fan-in.
#pragma once

#include "autograd/ops.h"
#include "nn/module.h"
#include "tensor/random.h"

namespace attn {

class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel, Generator& generator,
         const Conv2dOptions& options = {});
  // x [B, C, H, W] -> [B, O, H', W']
  Variable forward(const Variable& x) const;

  Variable weight;  // [O, C, K, K]
  Variable bias;    // [O]

 private:
  Conv2dOptions options_;
};

}  // namespace attn
