// Binary cross-entropy with logits, fused with the sigmoid: a fused op with hand-written backward.
//
// For logits z, targets y in [0, 1] and a mask of counted elements:
//   loss = (1 / count) sum over counted i of max(z_i, 0) - z_i y_i + log(1 + e^-|z_i|)
//   dz_i = g * (sigmoid(z_i) - y_i) / count on counted elements, 0 elsewhere
// The kernels are in tensor/binary_cross_entropy.h; the tests compare them with the composite
// -(y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))) written in Variable ops.
#include "autograd/ops.h"

#include "tensor/binary_cross_entropy.h"

namespace attn {

Variable binary_cross_entropy_with_logits(const Variable& logits, const Tensor& targets,
                                          const Tensor& mask) {
  const BinaryCrossEntropyForward forward =
      binary_cross_entropy_forward(logits.value(), targets, mask);
  // dz = g * mask * (sigmoid(z) - y) / count
  return Variable::make_result(
      forward.loss, "binary_cross_entropy_with_logits", {logits},
      [z = logits.value(), targets, mask, count = forward.count](const Tensor& g) {
        return std::vector<Tensor>{
            binary_cross_entropy_backward(z, targets, mask, count, g.item())};
      });
}

}  // namespace attn
