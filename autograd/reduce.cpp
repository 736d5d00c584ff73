// Reductions: sum, mean and max, over everything or along one dimension.
//
// A reduction is the adjoint of a broadcast: y = sum_i x_i uses every x_i once with weight 1,
// so each x_i receives all of dL/dy:
//   sum:   dL/dx_i = dL/dy                 mean:  dL/dx_i = dL/dy / n
//   max:   dL/dx_i = dL/dy if i is the argmax (the first, on ties), else 0
// Along a dimension, dL/dy gets that dimension back (size 1) and is broadcast along it.
#include "autograd/ops.h"

#include "tensor/elementwise.h"
#include "tensor/index.h"
#include "tensor/reduce.h"

namespace attn {

namespace {

// g, of the reduced shape, with the reduced dimension restored as size 1: [B, D] -> [B, 1, D].
Tensor keep_reduced_dim(const Tensor& g, int dim, bool keepdim) {
  return keepdim ? g : g.unsqueeze(dim);
}

}  // namespace

Variable sum(const Variable& x) {
  Tensor y = sum(x.value());
  // y = sum_i x_i  =>  dy/dx_i = 1
  return Variable::make_result(y, "sum", {x}, [x_shape = x.shape()](const Tensor& g) {
    return std::vector<Tensor>{g.expand(x_shape)};
  });
}

Variable sum(const Variable& x, int dim, bool keepdim) {
  Tensor y = sum(x.value(), dim, keepdim);
  const int d = normalize_dim("sum", dim, x.ndim());
  // y_j = sum_i x_ij  =>  dy_j/dx_ij = 1
  return Variable::make_result(
      y, "sum", {x}, [x_shape = x.shape(), d, keepdim](const Tensor& g) {
        return std::vector<Tensor>{keep_reduced_dim(g, d, keepdim).expand(x_shape)};
      });
}

Variable mean(const Variable& x) {
  Tensor y = mean(x.value());
  // y = (1/n) sum_i x_i  =>  dy/dx_i = 1/n
  return Variable::make_result(y, "mean", {x}, [x_shape = x.shape()](const Tensor& g) {
    return std::vector<Tensor>{(g / static_cast<real>(numel(x_shape))).expand(x_shape)};
  });
}

Variable mean(const Variable& x, int dim, bool keepdim) {
  Tensor y = mean(x.value(), dim, keepdim);
  const int d = normalize_dim("mean", dim, x.ndim());
  // y_j = (1/n) sum_i x_ij, n = size(dim)  =>  dy_j/dx_ij = 1/n
  return Variable::make_result(
      y, "mean", {x}, [x_shape = x.shape(), d, keepdim](const Tensor& g) {
        const Tensor g_per_element = g / static_cast<real>(x_shape[d]);
        return std::vector<Tensor>{keep_reduced_dim(g_per_element, d, keepdim).expand(x_shape)};
      });
}

Variable max(const Variable& x, int dim, bool keepdim) {
  Tensor y = max(x.value(), dim, keepdim);
  const int d = normalize_dim("max", dim, x.ndim());
  // y_j = x_kj with k = argmax_i x_ij  =>  dy_j/dx_ij = 1 if i == k else 0
  Tensor winners = argmax(x.value(), d, /*keepdim=*/true);  // x's shape with size 1 at dim
  return Variable::make_result(
      y, "max", {x}, [x_shape = x.shape(), d, keepdim, winners](const Tensor& g) {
        const Tensor g_kept = keep_reduced_dim(g, d, keepdim);  // [.., 1, ..]
        return std::vector<Tensor>{scatter_add(x_shape, d, winners, g_kept)};
      });
}

}  // namespace attn
