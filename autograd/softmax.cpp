// Softmax and log-softmax along one dimension: fused ops with hand-written backward.
//
//   softmax:      y_i = exp(x_i) / sum_j exp(x_j)
//                 dy_i/dx_k = y_i ([i = k] - y_k)   =>  dx_k = y_k (g_k - sum_i g_i y_i)
//   log_softmax:  y_i = x_i - log sum_j exp(x_j)
//                 dy_i/dx_k = [i = k] - softmax_k    =>  dx_k = g_k - exp(y_k) sum_i g_i
// Both backwards need only the saved output y, not x; the kernels are in tensor/softmax.h.
// Composite twins (exp(x - max) / sum, x - log(sum(exp(x)))) are compared in the tests.
#include "autograd/ops.h"

#include "tensor/softmax.h"

namespace attn {

Variable softmax(const Variable& x, int dim) {
  Tensor y = softmax(x.value(), dim);
  // dx = y * (g - sum(g * y, dim))
  return Variable::make_result(y, "softmax", {x}, [y, dim](const Tensor& g) {
    return std::vector<Tensor>{softmax_backward(y, g, dim)};
  });
}

Variable log_softmax(const Variable& x, int dim) {
  Tensor y = log_softmax(x.value(), dim);
  // dx = g - exp(y) * sum(g, dim)
  return Variable::make_result(y, "log_softmax", {x}, [y, dim](const Tensor& g) {
    return std::vector<Tensor>{log_softmax_backward(y, g, dim)};
  });
}

}  // namespace attn
