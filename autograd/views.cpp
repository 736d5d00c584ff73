// Views and joins: ops that move elements without changing them.
//
// A view only rearranges where elements sit, so its backward puts each gradient element back
// where its element came from:
//   reshape / transpose / permute / squeeze / unsqueeze  ->  the inverse rearrangement of g
//   narrow   ->  g in x's window, 0 outside it (elements outside the window got no gradient);
//                the engine adds g into the window of x's gradient (Node::window)
//   expand   ->  sum_to(g, x): a broadcast element collects the gradient of every copy
//   concat   ->  each input takes back its own stretch of g;  stack -> its own slice of g
// The view forwards share x's storage (tensor/tensor.h); only reshape of a non-contiguous x, and
// the joins, copy.
#include "autograd/ops.h"

#include "tensor/join.h"
#include "tensor/reduce.h"

namespace attn {

// ---- views ------------------------------------------------------------------------------------

Variable reshape(const Variable& x, const Shape& shape) {
  Tensor y = x.value().reshape(shape);
  // dx = g read back in x's shape (both row-major, so element k stays element k)
  return Variable::make_result(y, "reshape", {x}, [x_shape = x.shape()](const Tensor& g) {
    return std::vector<Tensor>{g.reshape(x_shape)};
  });
}

Variable transpose(const Variable& x, int dim0, int dim1) {
  Tensor y = x.value().transpose(dim0, dim1);
  // y[.., j, .., i, ..] = x[.., i, .., j, ..]  =>  dx = transpose(g), a transpose is its inverse
  return Variable::make_result(y, "transpose", {x}, [dim0, dim1](const Tensor& g) {
    return std::vector<Tensor>{g.transpose(dim0, dim1)};
  });
}

Variable permute(const Variable& x, const std::vector<int>& dims) {
  Tensor y = x.value().permute(dims);
  // y's dimension i is x's dimension dims[i]  =>  dx = permute(g, inverse), inverse[dims[i]] = i
  std::vector<int> inverse(dims.size());
  for (int i = 0; i < x.ndim(); ++i) inverse[normalize_dim("permute", dims[i], x.ndim())] = i;
  return Variable::make_result(y, "permute", {x}, [inverse](const Tensor& g) {
    return std::vector<Tensor>{g.permute(inverse)};
  });
}

Variable narrow(const Variable& x, int dim, int64_t start, int64_t length) {
  Tensor y = x.value().narrow(dim, start, length);
  // y = x[.., start : start + length, ..]  =>  dx = g inside that window, 0 outside it. The node
  // says so (Node::window) and hands back g alone: the engine adds it into dx's window, so
  // T slices of one tensor cost T windows, not T tensors of x's size.
  Variable result = Variable::make_result(y, "narrow", {x}, [](const Tensor& g) {
    return std::vector<Tensor>{g};
  });
  if (result.grad_fn())
    result.grad_fn()->window = Node::Window{normalize_dim("narrow", dim, x.ndim()), start, length};
  return result;
}

Variable squeeze(const Variable& x, int dim) {
  Tensor y = x.value().squeeze(dim);
  const int d = normalize_dim("squeeze", dim, x.ndim());
  // dx = g with the size-1 dimension put back
  return Variable::make_result(y, "squeeze", {x}, [d](const Tensor& g) {
    return std::vector<Tensor>{g.unsqueeze(d)};
  });
}

Variable unsqueeze(const Variable& x, int dim) {
  Tensor y = x.value().unsqueeze(dim);
  const int d = normalize_dim("unsqueeze", dim, x.ndim() + 1);
  // dx = g with the inserted size-1 dimension taken out again
  return Variable::make_result(y, "unsqueeze", {x}, [d](const Tensor& g) {
    return std::vector<Tensor>{g.squeeze(d)};
  });
}

Variable expand(const Variable& x, const Shape& shape) {
  Tensor y = x.value().expand(shape);
  // each x element appears in many y elements  =>  dx = sum of g over its copies
  return Variable::make_result(y, "expand", {x}, [x_shape = x.shape()](const Tensor& g) {
    return std::vector<Tensor>{sum_to(g, x_shape)};
  });
}

// ---- joins ------------------------------------------------------------------------------------

namespace {

std::vector<Tensor> values_of(const std::vector<Variable>& xs) {
  std::vector<Tensor> values;
  for (const Variable& x : xs) values.push_back(x.value());
  return values;
}

}  // namespace

Variable concat(const std::vector<Variable>& xs, int dim) {
  Tensor y = concat(values_of(xs), dim);
  const int d = normalize_dim("concat", dim, y.ndim());
  std::vector<int64_t> sizes;  // each input's extent along d
  for (const Variable& x : xs) sizes.push_back(x.size(d));
  // y = [x_0 | x_1 | ...] along d  =>  dx_i = g[.., offset_i : offset_i + size_i, ..]
  return Variable::make_result(y, "concat", xs, [d, sizes](const Tensor& g) {
    std::vector<Tensor> grads;
    int64_t offset = 0;
    for (int64_t size : sizes) {
      grads.push_back(g.narrow(d, offset, size));
      offset += size;
    }
    return grads;
  });
}

Variable stack(const std::vector<Variable>& xs, int dim) {
  Tensor y = stack(values_of(xs), dim);
  const int d = normalize_dim("stack", dim, y.ndim());
  // y[.., i, ..] = x_i  =>  dx_i = g[.., i, ..]
  return Variable::make_result(y, "stack", xs, [d, count = xs.size()](const Tensor& g) {
    std::vector<Tensor> grads;
    for (size_t i = 0; i < count; ++i)
      grads.push_back(g.narrow(d, static_cast<int64_t>(i), 1).squeeze(d));
    return grads;
  });
}

}  // namespace attn
