// Example 1: reverse-mode autodiff on a small expression.
//
// What it teaches: build an expression from Variables, call backward(), read the gradients.
//
//   f(x, w, b) = (w * x + b)^2        at x = 2, w = -3, b = 1
//   z = w x + b = -5,  f = z^2 = 25
//   df/dx = 2 z w = 30,  df/dw = 2 z x = -20,  df/db = 2 z = -10
//
// Then the same on tensors: a 2x3 weight matrix, L = sum(tanh(W @ v)), dL/dW = (1 - y^2) v^T.
//
// Run: build/examples/01_autograd
#include <cstdio>
#include <iostream>

#include "autograd/ops.h"

using namespace attn;

static Variable scalar_parameter(real value) { return Variable(Tensor::scalar(value), true); }

int main() {
  Variable x = scalar_parameter(2), w = scalar_parameter(-3), b = scalar_parameter(1);
  Variable z = w * x + b;
  Variable f = z * z;
  f.backward();
  std::printf("f(x=2, w=-3, b=1) = (w*x + b)^2 = %g\n", f.item());
  std::printf("df/dx = %g   (2 z w = 2 * -5 * -3)\n", x.grad().item());
  std::printf("df/dw = %g  (2 z x = 2 * -5 * 2)\n", w.grad().item());
  std::printf("df/db = %g  (2 z = 2 * -5)\n\n", b.grad().item());

  Variable W(Tensor::from_vector({2, 3}, {0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f}), true);
  Variable v(Tensor::from_vector({3, 1}, {1, 2, 3}));
  Variable y = tanh(matmul(W, v));  // [2,1]
  Variable L = sum(y);
  L.backward();
  std::cout << "W @ v through tanh: " << y.value() << "\n";
  std::cout << "dL/dW = (1 - y^2) v^T: " << W.grad() << "\n\n";

  std::printf("autograd: df/dx = %g\n", x.grad().item());
  return 0;
}
