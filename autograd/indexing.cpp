// Indexing and masking: ops that pick elements by index or by mask.
//
// Picking is linear in x, so its adjoint sends each output gradient back to the element it was
// picked from, adding up where one element was picked several times:
//   index_select / gather  ->  index_add / scatter_add of g    (tensor/index.h)
//   masked_fill            ->  g where the mask is 0, 0 where x was overwritten
//   where(c, a, b)         ->  g goes to a where c holds and to b where it does not
#include "autograd/ops.h"

#include "tensor/elementwise.h"
#include "tensor/index.h"
#include "tensor/reduce.h"

namespace attn {

Variable index_select(const Variable& x, int dim, const Tensor& indices) {
  Tensor y = index_select(x.value(), dim, indices);
  // y[.., i, ..] = x[.., idx[i], ..]  =>  dx[.., idx[i], ..] += g[.., i, ..]
  return Variable::make_result(
      y, "index_select", {x}, [x_shape = x.shape(), dim, indices](const Tensor& g) {
        return std::vector<Tensor>{index_add(x_shape, dim, indices, g)};
      });
}

Variable gather(const Variable& x, int dim, const Tensor& indices) {
  Tensor y = gather(x.value(), dim, indices);
  // y[i][j] = x[i][idx[i][j]]  =>  dx[i][idx[i][j]] += g[i][j]   (dim = 1; likewise for others)
  return Variable::make_result(
      y, "gather", {x}, [x_shape = x.shape(), dim, indices](const Tensor& g) {
        return std::vector<Tensor>{scatter_add(x_shape, dim, indices, g)};
      });
}

Variable masked_fill(const Variable& x, const Tensor& mask, real value) {
  Tensor y = masked_fill(x.value(), mask, value);
  // y = mask ? value : x  =>  dy/dx = 0 where mask, 1 elsewhere: the same fill, with 0, on g
  return Variable::make_result(y, "masked_fill", {x}, [mask](const Tensor& g) {
    return std::vector<Tensor>{masked_fill(g, mask, 0)};
  });
}

Variable where(const Tensor& condition, const Variable& a, const Variable& b) {
  Tensor y = where(condition, a.value(), b.value());
  // y = c ? a : b  =>  dy/da = [c], dy/db = [not c]; then sum_to for broadcast a and b
  return Variable::make_result(
      y, "where", {a, b}, [condition, a_shape = a.shape(), b_shape = b.shape()](const Tensor& g) {
        const Tensor zero = Tensor::scalar(0);
        return std::vector<Tensor>{sum_to(where(condition, g, zero), a_shape),
                                   sum_to(where(condition, zero, g), b_shape)};
      });
}

}  // namespace attn
