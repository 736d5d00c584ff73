// Cross-entropy loss, fused with log-softmax: a fused op with hand-written backward.
//
// For logits z [N, V] and targets t [N], smoothing e (Szegedy et al. 2016; Vaswani §5.4):
//   p = log_softmax(z),  q_t = 1 - e + e/V,  q_j = e/V (j != t)
//   loss = (1 / count) sum over counted rows of -sum_j q_j p_j
//   dz_j = g * (softmax(z)_j - q_j) / count,   0 on rows whose target is ignore_index
// The kernels are in tensor/cross_entropy.h; the tests compare them with the composite
// -sum(q * log_softmax(z)) written in Variable ops.
#include "autograd/ops.h"

#include "tensor/cross_entropy.h"

namespace attn {

Variable cross_entropy(const Variable& logits, const Tensor& targets, int64_t ignore_index,
                       real label_smoothing) {
  CrossEntropyForward forward =
      cross_entropy_forward(logits.value(), targets, ignore_index, label_smoothing);
  // dz = g * (exp(log_probs) - q) / count
  return Variable::make_result(
      forward.loss, "cross_entropy", {logits},
      [log_probs = forward.log_probs, targets, count = forward.count, ignore_index,
       label_smoothing](const Tensor& g) {
        return std::vector<Tensor>{cross_entropy_backward(log_probs, targets, count, ignore_index,
                                                          label_smoothing, g.item())};
      });
}

}  // namespace attn
