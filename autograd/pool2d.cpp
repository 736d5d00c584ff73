// Max and average pooling: ops with hand-written backward (kernels in tensor/pool2d.h).
//
//   max:      y = max over each K x K window     dx = g routed to the window's maximum
//   average:  y = mean over each window          dx = g / K^2 spread over the window
// Max pooling saves where each maximum was (one offset per output), not x.
#include "autograd/ops.h"

namespace attn {

Variable max_pool2d(const Variable& x, const Pool2dOptions& options) {
  MaxPool2dForward forward = max_pool2d_forward(x.value(), options);
  return Variable::make_result(
      forward.y, "max_pool2d", {x},
      [argmax = std::move(forward.argmax), x_shape = x.shape()](const Tensor& g) {
        return std::vector<Tensor>{max_pool2d_backward(g, argmax, x_shape)};
      });
}

Variable avg_pool2d(const Variable& x, const Pool2dOptions& options) {
  return Variable::make_result(
      avg_pool2d_forward(x.value(), options), "avg_pool2d", {x},
      [x_shape = x.shape(), options](const Tensor& g) {
        return std::vector<Tensor>{avg_pool2d_backward(g, x_shape, options)};
      });
}

}  // namespace attn
