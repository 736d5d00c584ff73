// Softmax and log-softmax along one dimension, with their backward kernels.
//
//   softmax(x)_i     = exp(x_i - m) / sum_j exp(x_j - m),  m = max_j x_j
//   log_softmax(x)_i = x_i - m - log sum_j exp(x_j - m)
// Subtracting the max changes nothing mathematically and keeps exp() from overflowing.
// A row that is entirely -inf (a fully masked attention row) gives zeros, not NaN.
//
// Backward, from the saved output y and the output gradient g:
//   softmax:      dx_i = y_i * (g_i - sum_j g_j y_j)
//   log_softmax:  dx_i = g_i - exp(y_i) * sum_j g_j
#pragma once

#include "tensor/tensor.h"

namespace attn {

Tensor softmax(const Tensor& x, int dim);
Tensor softmax_backward(const Tensor& y, const Tensor& grad_y, int dim);

Tensor log_softmax(const Tensor& x, int dim);
Tensor log_softmax_backward(const Tensor& y, const Tensor& grad_y, int dim);

}  // namespace attn
