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

namespace {

// dB when one matrix B [K, N] multiplies a whole batch A [..., M, K]: every product adds into
// the same dB, so the batch folds into the rows of a single product,
//   dB = sum_batch A_i^T g_i = A.view(rows, K)^T @ g.view(rows, N)         [K, rows] @ [rows, N]
// rather than a [..., K, N] stack of per-batch products summed afterwards (for a Transformer's
// output projection that stack would be hundreds of megabytes).
Tensor shared_weight_gradient(const Tensor& a, const Tensor& g) {
  const Tensor rows_a = a.reshape({-1, a.size(-1)});  // [rows, K]
  const Tensor rows_g = g.reshape({-1, g.size(-1)});  // [rows, N]
  return matmul(rows_a.transpose(0, 1), rows_g);      // [K, N]
}

}  // namespace

Variable matmul(const Variable& a, const Variable& b) {
  Tensor c = matmul(a.value(), b.value());
  // dA = g B^T, dB = A^T g, each summed down to its operand's shape
  return Variable::make_result(
      c, "matmul", {a, b}, [a = a.value(), b = b.value()](const Tensor& g) {
        Tensor grad_b = b.ndim() == 2 && a.ndim() > 2
                            ? shared_weight_gradient(a, g)
                            : sum_to(matmul(a.transpose(-1, -2), g), b.shape());
        return std::vector<Tensor>{sum_to(matmul(g, b.transpose(-1, -2)), a.shape()),
                                   grad_b};
      });
}

}  // namespace attn
