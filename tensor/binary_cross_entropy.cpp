// Binary cross-entropy with logits: forward and backward kernels (see binary_cross_entropy.h).
#include "tensor/binary_cross_entropy.h"

#include <cmath>
#include <string>

#include "tensor/error.h"

namespace attn {

namespace {

void check_operands(const Tensor& logits, const Tensor& targets, const Tensor& mask) {
  check(logits.defined() && targets.defined(), "binary_cross_entropy", "tensor is undefined");
  check(targets.shape() == logits.shape(), "binary_cross_entropy",
        "logits " + to_string(logits.shape()) + " and targets " + to_string(targets.shape()) +
            " must have one shape");
  check(!mask.defined() || mask.shape() == logits.shape(), "binary_cross_entropy",
        "mask " + to_string(mask.shape()) + " must have the shape of the logits " +
            to_string(logits.shape()));
}

// 1 where the element counts: every element without a mask.
real counted(const real* mask, int64_t i) { return mask ? mask[i] : real(1); }

}  // namespace

BinaryCrossEntropyForward binary_cross_entropy_forward(const Tensor& logits, const Tensor& targets,
                                                       const Tensor& mask) {
  check_operands(logits, targets, mask);
  const Tensor z = logits.contiguous(), y = targets.contiguous();
  const Tensor m = mask.defined() ? mask.contiguous() : Tensor();
  const real* zs = z.data();
  const real* ys = y.data();
  const real* ms = m.defined() ? m.data() : nullptr;
  double total = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < z.numel(); ++i) {
    if (counted(ms, i) == 0) continue;
    const real v = zs[i];
    total += std::max(v, real(0)) - v * ys[i] + std::log1p(std::exp(-std::abs(v)));
    ++count;
  }
  const real mean = count > 0 ? static_cast<real>(total / static_cast<double>(count)) : real(0);
  return {Tensor::scalar(mean), count};
}

Tensor binary_cross_entropy_backward(const Tensor& logits, const Tensor& targets,
                                     const Tensor& mask, int64_t count, real grad_loss) {
  check_operands(logits, targets, mask);
  const Tensor z = logits.contiguous(), y = targets.contiguous();
  const Tensor m = mask.defined() ? mask.contiguous() : Tensor();
  const real* zs = z.data();
  const real* ys = y.data();
  const real* ms = m.defined() ? m.data() : nullptr;
  Tensor grad = Tensor::zeros(logits.shape());
  if (count == 0) return grad;
  real* out = grad.data();
  const real scale = grad_loss / static_cast<real>(count);
  for (int64_t i = 0; i < z.numel(); ++i) {
    if (counted(ms, i) == 0) continue;
    // sigmoid(z), written so that neither branch exponentiates a large positive number
    const real v = zs[i];
    const real p = v >= 0 ? 1 / (1 + std::exp(-v)) : std::exp(v) / (1 + std::exp(v));
    out[i] = scale * (p - ys[i]);
  }
  return grad;
}

}  // namespace attn
