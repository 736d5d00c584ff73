// Elementwise kernels: y = f(x) and z = f(x, y) with NumPy broadcasting.
//
// Binary ops broadcast their operands to a common shape (shape.h): [B,T,D] + [D] adds the same
// row to every position. Results are always new contiguous tensors; inputs may be any view.
// Comparisons return 1 where true and 0 where false (attn's masks, see real.h).
//
// Pure-math derivative kernels that the autograd layer needs and that are not a plain
// composition of these ops (gelu') also live here, next to their forward.
#pragma once

#include "tensor/tensor.h"

namespace attn {

// ---- unary ------------------------------------------------------------------------------------
Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);                // 1 / (1 + e^-x), stable for large |x|
Tensor softplus(const Tensor& x);               // log(1 + e^x), stable for large |x|
Tensor relu(const Tensor& x);                   // max(x, 0)
Tensor relu_backward(const Tensor& grad_y, const Tensor& y);  // grad_y where y > 0, else 0
Tensor gelu(const Tensor& x);                   // x * Phi(x), Phi the normal CDF (exact, erf)
Tensor gelu_derivative(const Tensor& x);        // Phi(x) + x * phi(x)
Tensor pow(const Tensor& x, real exponent);     // x^p
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);                   // -1, 0 or 1

// ---- binary, broadcasting ---------------------------------------------------------------------
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);

// ---- comparisons: 1 where true, 0 where false ---------------------------------------------------
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

// ---- selection --------------------------------------------------------------------------------
// out = condition != 0 ? a : b, all three broadcast together.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
// out = mask != 0 ? value : x; mask broadcasts to x's shape (not the other way round).
Tensor masked_fill(const Tensor& x, const Tensor& mask, real value);

// ---- with a scalar ----------------------------------------------------------------------------
Tensor add_scalar(const Tensor& x, real s);
Tensor mul_scalar(const Tensor& x, real s);

// ---- in place, for optimisers and gradient accumulation ------------------------------------------
// target += source * scale, with source broadcast to target's shape.
void add_into(Tensor& target, const Tensor& source, real scale = 1);

// Operators, so derivative code reads like the math: g * (1 - y * y).
Tensor operator-(const Tensor& x);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, real s);
Tensor operator-(const Tensor& a, real s);
Tensor operator*(const Tensor& a, real s);
Tensor operator/(const Tensor& a, real s);
Tensor operator+(real s, const Tensor& a);
Tensor operator-(real s, const Tensor& a);
Tensor operator*(real s, const Tensor& a);
Tensor operator/(real s, const Tensor& a);

// True when shapes are equal and every |a - b| <= atol + rtol * |b|.
bool allclose(const Tensor& a, const Tensor& b, real rtol = 1e-5, real atol = 1e-6);

}  // namespace attn
