// Tiled (FlashAttention) scaled-dot attention as one fused op with a hand-written backward.
//
//   O = softmax(scale * Q K^T, hidden keys -inf) V       [..., T, Ev]
//   dV = P^T dO,  dP = dO V^T,  dS = P * (dP - rowsum(dO * O)),  dQ = scale dS K,
//   dK = scale dS^T Q
// Dao et al. 2022 §3.1 and Appendix B; Dao 2023 §3. The kernels are in tensor/flash_attention.h.
// The forward saves only its output O and the row logsumexp L [..., T]: the backward recomputes
// P = exp(scale Q K^T - L) tile by tile, so no [..., T, S] tensor is ever kept for the graph.
// The composite twin (matmul, masked_fill -inf, softmax, matmul) is compared in the tests.
#include "autograd/ops.h"

namespace attn {

Variable flash_attention(const Variable& q, const Variable& k, const Variable& v,
                         const FlashAttentionOptions& options) {
  Tensor logsumexp;  // L [..., T]
  Tensor out = flash_attention_forward(q.value(), k.value(), v.value(), options, &logsumexp);
  // dq, dk, dv from O, L and g = dO, P recomputed per tile
  return Variable::make_result(
      out, "flash_attention", {q, k, v},
      [q = q.value(), k = k.value(), v = v.value(), options, out, logsumexp](const Tensor& g) {
        FlashAttentionGradients grads =
            flash_attention_backward(q, k, v, options, out, logsumexp, g);
        return std::vector<Tensor>{grads.q, grads.k, grads.v};
      });
}

}  // namespace attn
