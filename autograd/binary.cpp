// Binary ops with broadcasting, and the Variable operators built on them.
//
// z = a op b first broadcasts a and b to a common shape: a [3] added to b [2,3] is used as if
// it were [2,3], its one row repeated. A value used in several places collects the gradient of
// each use, so the gradient of a repeated row is the sum over its copies:
//   dL/da = sum_to(dL/dz * dz/da, shape(a))         (the adjoint of broadcast is sum)
// and every backward here ends with sum_to. Derivatives are the sum, product and quotient rules.
#include "autograd/ops.h"

#include "tensor/elementwise.h"
#include "tensor/reduce.h"

namespace attn {

// ---- binary, broadcasting ---------------------------------------------------------------------

Variable add(const Variable& a, const Variable& b) {
  Tensor z = add(a.value(), b.value());
  // z = a + b  =>  dz/da = 1, dz/db = 1
  return Variable::make_result(
      z, "add", {a, b}, [a_shape = a.shape(), b_shape = b.shape()](const Tensor& g) {
        return std::vector<Tensor>{sum_to(g, a_shape), sum_to(g, b_shape)};
      });
}

Variable sub(const Variable& a, const Variable& b) {
  Tensor z = sub(a.value(), b.value());
  // z = a - b  =>  dz/da = 1, dz/db = -1
  return Variable::make_result(
      z, "sub", {a, b}, [a_shape = a.shape(), b_shape = b.shape()](const Tensor& g) {
        return std::vector<Tensor>{sum_to(g, a_shape), -sum_to(g, b_shape)};
      });
}

Variable mul(const Variable& a, const Variable& b) {
  Tensor z = mul(a.value(), b.value());
  // z = a * b  =>  dz/da = b, dz/db = a
  return Variable::make_result(z, "mul", {a, b}, [a = a.value(), b = b.value()](const Tensor& g) {
    return std::vector<Tensor>{sum_to(g * b, a.shape()), sum_to(g * a, b.shape())};
  });
}

Variable div(const Variable& a, const Variable& b) {
  Tensor z = div(a.value(), b.value());
  // z = a / b  =>  dz/da = 1 / b, dz/db = -a / b^2
  return Variable::make_result(z, "div", {a, b}, [a = a.value(), b = b.value()](const Tensor& g) {
    return std::vector<Tensor>{sum_to(g / b, a.shape()), -sum_to(g * a / (b * b), b.shape())};
  });
}

// ---- with a real scalar -------------------------------------------------------------------------

Variable add(const Variable& x, real s) {
  Tensor y = add_scalar(x.value(), s);
  // y = x + s  =>  dy/dx = 1
  return Variable::make_result(y, "add", {x}, [](const Tensor& g) {
    return std::vector<Tensor>{g};
  });
}

Variable mul(const Variable& x, real s) {
  Tensor y = mul_scalar(x.value(), s);
  // y = x s  =>  dy/dx = s
  return Variable::make_result(y, "mul", {x}, [s](const Tensor& g) {
    return std::vector<Tensor>{g * s};
  });
}

// ---- operators: x * w + b reads like the math ---------------------------------------------------

Variable operator-(const Variable& x) { return neg(x); }
Variable operator+(const Variable& a, const Variable& b) { return add(a, b); }
Variable operator-(const Variable& a, const Variable& b) { return sub(a, b); }
Variable operator*(const Variable& a, const Variable& b) { return mul(a, b); }
Variable operator/(const Variable& a, const Variable& b) { return div(a, b); }
Variable operator+(const Variable& x, real s) { return add(x, s); }
Variable operator-(const Variable& x, real s) { return add(x, -s); }
Variable operator*(const Variable& x, real s) { return mul(x, s); }
Variable operator/(const Variable& x, real s) { return mul(x, 1 / s); }
Variable operator+(real s, const Variable& x) { return add(x, s); }
Variable operator-(real s, const Variable& x) { return add(neg(x), s); }
Variable operator*(real s, const Variable& x) { return mul(x, s); }

}  // namespace attn
