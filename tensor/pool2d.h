// Two-dimensional pooling, max and average, forward and backward.
//
//   max:      y[b, c, i, j] = max_{p, q < K} x[b, c, i*s + p, j*s + q]
//   average:  y[b, c, i, j] = 1/K^2 sum_{p, q < K} x[b, c, i*s + p, j*s + q]
//
// x [B, C, H, W] -> y [B, C, H', W'], H' = (H - K) / s + 1 (the floor: a partial window at the
// edge is dropped, as PyTorch's default), W' likewise. Pooling summarises each K x K window, so a
// feature map shrinks by s along each side while keeping what was found where (LeCun et al. 1998,
// §II.A, "sub-sampling"; max pooling as in Krizhevsky et al. 2012, §3.4).
//
// Backward, g = dL/dy:
//   max:      dx = g routed to the window's largest element (the first one, on ties); 0 elsewhere
//   average:  dx[b, c, i*s + p, j*s + q] += g[b, c, i, j] / K^2  for every p, q < K
// Max pooling keeps, for each output, where its maximum came from (`argmax`, an offset into one
// image plane), which backward follows.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace attn {

struct Pool2dOptions {
  int64_t kernel = 2;  // K: the window is K x K
  int64_t stride = 0;  // s; 0 means s = K (windows side by side, PyTorch's default)
};

struct MaxPool2dForward {
  Tensor y;                     // [B, C, H', W']
  std::vector<int32_t> argmax;  // [B, C, H', W']: y's source, y * W + x within its [H, W] plane
};

// x [B, C, H, W] -> y [B, C, H', W'] and where each maximum was
MaxPool2dForward max_pool2d_forward(const Tensor& x, const Pool2dOptions& options);
// g [B, C, H', W'] -> dx [B, C, H, W]
Tensor max_pool2d_backward(const Tensor& grad_y, const std::vector<int32_t>& argmax,
                           const Shape& x_shape);

// x [B, C, H, W] -> y [B, C, H', W']
Tensor avg_pool2d_forward(const Tensor& x, const Pool2dOptions& options);
// g [B, C, H', W'] -> dx [B, C, H, W]
Tensor avg_pool2d_backward(const Tensor& grad_y, const Shape& x_shape,
                           const Pool2dOptions& options);

}  // namespace attn
