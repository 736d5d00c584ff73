// Unary ops: y = f(x) elementwise, each with its backward right below.
//
// Elementwise f has a diagonal Jacobian, so the chain rule is elementwise too:
//   dL/dx_i = dL/dy_i * f'(x_i)
// Where f' reads more simply in terms of the output (exp, sqrt, tanh, sigmoid), the closure
// saves y instead of x. Derivatives: any calculus table; gelu from Hendrycks & Gimpel 2016.
#include "autograd/ops.h"

#include "tensor/elementwise.h"

namespace attn {

Variable neg(const Variable& x) {
  Tensor y = neg(x.value());
  // y = -x  =>  dy/dx = -1
  return Variable::make_result(y, "neg", {x}, [](const Tensor& g) {
    return std::vector<Tensor>{-g};
  });
}

Variable exp(const Variable& x) {
  Tensor y = exp(x.value());
  // y = e^x  =>  dy/dx = e^x = y
  return Variable::make_result(y, "exp", {x}, [y](const Tensor& g) {
    return std::vector<Tensor>{g * y};
  });
}

Variable log(const Variable& x) {
  Tensor y = log(x.value());
  // y = ln x  =>  dy/dx = 1 / x
  return Variable::make_result(y, "log", {x}, [x = x.value()](const Tensor& g) {
    return std::vector<Tensor>{g / x};
  });
}

Variable sqrt(const Variable& x) {
  Tensor y = sqrt(x.value());
  // y = x^(1/2)  =>  dy/dx = 1 / (2 x^(1/2)) = 1 / (2 y)
  return Variable::make_result(y, "sqrt", {x}, [y](const Tensor& g) {
    return std::vector<Tensor>{g / (y * 2)};
  });
}

Variable pow(const Variable& x, real p) {
  Tensor y = pow(x.value(), p);
  // y = x^p  =>  dy/dx = p x^(p-1)
  return Variable::make_result(y, "pow", {x}, [x = x.value(), p](const Tensor& g) {
    return std::vector<Tensor>{g * pow(x, p - 1) * p};
  });
}

Variable tanh(const Variable& x) {
  Tensor y = tanh(x.value());
  // y = tanh x  =>  dy/dx = 1 - tanh^2 x = 1 - y^2
  return Variable::make_result(y, "tanh", {x}, [y](const Tensor& g) {
    return std::vector<Tensor>{g * (1 - y * y)};
  });
}

Variable sigmoid(const Variable& x) {
  Tensor y = sigmoid(x.value());
  // y = 1 / (1 + e^-x)  =>  dy/dx = e^-x / (1 + e^-x)^2 = y (1 - y)
  return Variable::make_result(y, "sigmoid", {x}, [y](const Tensor& g) {
    return std::vector<Tensor>{g * y * (1 - y)};
  });
}

Variable softplus(const Variable& x) {
  Tensor y = softplus(x.value());
  // y = log(1 + e^x)  =>  dy/dx = e^x / (1 + e^x) = sigmoid(x)
  return Variable::make_result(y, "softplus", {x}, [x = x.value()](const Tensor& g) {
    return std::vector<Tensor>{g * sigmoid(x)};
  });
}

Variable relu(const Variable& x) {
  Tensor y = relu(x.value());
  // y = max(x, 0)  =>  dy/dx = 1 where x > 0, else 0 (at the kink x = 0 we take 0, as PyTorch).
  // x > 0 exactly where y > 0, so keeping y lets x be freed.
  return Variable::make_result(y, "relu", {x}, [y](const Tensor& g) {
    return std::vector<Tensor>{relu_backward(g, y)};
  });
}

Variable gelu(const Variable& x) {
  Tensor y = gelu(x.value());
  // y = x Phi(x)  =>  dy/dx = Phi(x) + x phi(x)   (product rule; phi = Phi' the normal density)
  return Variable::make_result(y, "gelu", {x}, [x = x.value()](const Tensor& g) {
    return std::vector<Tensor>{g * gelu_derivative(x)};
  });
}

}  // namespace attn
