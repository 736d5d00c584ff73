// Matrix product with batched broadcasting, and its backward.
//
//   C = A B,  C_mn = sum_k A_mk B_kn
//   dL/dA_mk = sum_n dL/dC_mn B_kn   =>  dA = dC B^T
//   dL/dB_kn = sum_m A_mk dL/dC_mn   =>  dB = A^T dC
// With batch dimensions, an operand broadcast over a batch (a [D,F] weight used by every
// [B,T,D] input) is used once per batch entry, so its gradient sums over them: sum_to.
// The transposes are views, read through their strides by the GEMM kernel: nothing is copied.
#include "autograd/ops.h"

#include "tensor/matmul.h"
#include "tensor/reduce.h"

namespace attn {

Variable matmul(const Variable& a, const Variable& b) {
  Tensor c = matmul(a.value(), b.value());
  // dA = g B^T, dB = A^T g, each summed down to its operand's shape
  return Variable::make_result(
      c, "matmul", {a, b}, [a = a.value(), b = b.value()](const Tensor& g) {
        return std::vector<Tensor>{sum_to(matmul(g, b.transpose(-1, -2)), a.shape()),
                                   sum_to(matmul(a.transpose(-1, -2), g), b.shape())};
      });
}

}  // namespace attn
