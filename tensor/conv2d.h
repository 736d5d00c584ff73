// Two-dimensional convolution (cross-correlation, as every deep-learning library computes it),
// forward and backward, on attn's GEMM.
//
//   y[b, o, i, j] = bias[o] + sum_{c, p, q} w[o, c, p, q] * x[b, c, i*s - pad + p, j*s - pad + q]
//
// with x [B, C, H, W], w [O, C, K, K'] and y [B, O, H', W'], H' = (H + 2 pad - K) / s + 1 (the
// floor), W' likewise; pixels outside the image read as 0 (zero padding). LeCun et al. 1998,
// "Gradient-Based Learning Applied to Document Recognition", §II.A, introduced the layer; the
// lowering onto a matrix product is Chellapilla, Puri & Simard 2006, "High Performance
// Convolutional Neural Networks for Document Processing", §2.
//
// Lowering (im2col): for one image, put every receptive field in a column,
//   cols [C K K', H' W']:  cols[(c, p, q), (i, j)] = x[c, i*s - pad + p, j*s - pad + q]
// and the convolution is one matrix product per image:
//   y_b [O, H' W'] = w [O, C K K'] @ cols [C K K', H' W']  (+ bias[o] on row o)
//
// Backward, with g = dL/dy and g_b [O, H' W'] one image's gradient:
//   dw    = sum_b g_b @ cols_b^T                                   [O, C K K']
//   dcols = w^T @ g_b                                              [C K K', H' W']
//   dx_b  = col2im(dcols): each column entry added back to the pixel it was copied from
//   dbias = sum over b, i, j of g[b, o, i, j]
// col2im is im2col's adjoint: im2col copies a pixel into every field that covers it, so its
// gradient sums over those fields.
//
// Images are spread over the thread pool, one image's columns at a time per thread (memory
// C K K' H' W' per thread, not per batch); with fewer images than threads the products
// themselves are split instead. dw is summed over images in image order, so the numbers never
// depend on the thread count.
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace attn {

struct Conv2dOptions {
  int64_t stride = 1;   // s: the field moves s pixels at a time
  int64_t padding = 0;  // pad: rows and columns of zeros around the image
};

// The output size along one side: (size + 2 pad - kernel) / stride + 1.
int64_t conv_output_size(int64_t size, int64_t kernel, const Conv2dOptions& options);

// x [B, C, H, W], weight [O, C, K, K'], bias [O] (or undefined) -> [B, O, H', W']
Tensor conv2d_forward(const Tensor& x, const Tensor& weight, const Tensor& bias,
                      const Conv2dOptions& options);

struct Conv2dGradients {
  Tensor grad_x;       // [B, C, H, W]; undefined unless asked for
  Tensor grad_weight;  // [O, C, K, K']
  Tensor grad_bias;    // [O]
};

// grad_y [B, O, H', W'] and the forward's inputs -> the gradients. want_grad_x = false skips
// dx: a first layer's input, the images, needs none, and dx is half of backward's work.
Conv2dGradients conv2d_backward(const Tensor& grad_y, const Tensor& x, const Tensor& weight,
                                const Conv2dOptions& options, bool want_grad_x = true);

}  // namespace attn
