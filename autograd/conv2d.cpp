// Two-dimensional convolution: an op with hand-written backward (kernels in tensor/conv2d.h).
//
// LeCun et al. 1998, §II.A; lowered onto the matrix product as Chellapilla et al. 2006, §2:
//   y_b = w @ im2col(x_b) + bias                     [O, C K K'] @ [C K K', H' W'] -> [O, H' W']
// The convolution is linear in x and in w, so with g_b = dL/dy_b:
//   dw    = sum_b g_b @ im2col(x_b)^T                the product's right-hand adjoint
//   dx_b  = col2im(w^T @ g_b)                        the product's, then im2col's adjoint
//   dbias = sum of g over b, i, j
// Nothing is saved but the inputs: backward rebuilds each image's columns rather than keeping
// all of them, which would cost K K' times the input's memory. An input that needs no gradient
// (the images, into a first layer) gets none computed.
#include "autograd/ops.h"

namespace attn {

Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                const Conv2dOptions& options) {
  const Tensor y = conv2d_forward(x.value(), weight.value(), bias.value(), options);
  return Variable::make_result(
      y, "conv2d", {x, weight, bias},
      [x = x.value(), weight = weight.value(), options, want_grad_x = x.requires_grad()](
          const Tensor& g) {
        auto [grad_x, grad_weight, grad_bias] = conv2d_backward(g, x, weight, options, want_grad_x);
        return std::vector<Tensor>{grad_x, grad_weight, grad_bias};
      });
}

}  // namespace attn
