// Binary cross-entropy with logits: forward and backward kernels (see binary_cross_entropy.h).
#include "tensor/binary_cross_entropy.h"

#include <cmath>
#include <string>

#include "tensor/error.h"

namespace attn {

namespace {

// Checks that the three fit together; returns the logits.
const Tensor& checked(const Tensor& logits, const Tensor& targets, const Tensor& mask) {
  check(logits.defined() && targets.defined(), "binary_cross_entropy", "tensor is undefined");
  check(targets.shape() == logits.shape(), "binary_cross_entropy", [&] {
    return "logits " + to_string(logits.shape()) + " and targets " + to_string(targets.shape()) +
           " must have one shape";
  });
  check(!mask.defined() || mask.shape() == logits.shape(), "binary_cross_entropy", [&] {
    return "mask " + to_string(mask.shape()) + " must have the shape of the logits " +
           to_string(logits.shape());
  });
  return logits;
}

// The three operands as dense row-major arrays, checked; the mask's pointer is null without one.
struct Operands {
  Tensor z, y, m;
  const real* logits;
  const real* targets;
  const real* mask;

  Operands(const Tensor& logits_in, const Tensor& targets_in, const Tensor& mask_in)
      : z(checked(logits_in, targets_in, mask_in).contiguous()),
        y(targets_in.contiguous()),
        m(mask_in.defined() ? mask_in.contiguous() : Tensor()),
        logits(z.data()),
        targets(y.data()),
        mask(m.defined() ? m.data() : nullptr) {}

  // 1 where element i counts: every element without a mask.
  real counted(int64_t i) const { return mask ? mask[i] : real(1); }
};

}  // namespace

BinaryCrossEntropyForward binary_cross_entropy_forward(const Tensor& logits, const Tensor& targets,
                                                       const Tensor& mask) {
  const Operands in(logits, targets, mask);
  double total = 0;
  int64_t count = 0;
  for (int64_t i = 0; i < logits.numel(); ++i) {
    if (in.counted(i) == 0) continue;
    const real v = in.logits[i];
    total += std::max(v, real(0)) - v * in.targets[i] + std::log1p(std::exp(-std::abs(v)));
    ++count;
  }
  const real mean = count > 0 ? static_cast<real>(total / static_cast<double>(count)) : real(0);
  return {Tensor::scalar(mean), count};
}

Tensor binary_cross_entropy_backward(const Tensor& logits, const Tensor& targets,
                                     const Tensor& mask, int64_t count, real grad_loss) {
  const Operands in(logits, targets, mask);
  Tensor grad = Tensor::zeros(logits.shape());
  if (count == 0) return grad;
  real* out = grad.data();
  const real scale = grad_loss / static_cast<real>(count);
  for (int64_t i = 0; i < logits.numel(); ++i) {
    if (in.counted(i) == 0) continue;
    // sigmoid(z), written so that neither branch exponentiates a large positive number
    const real v = in.logits[i];
    const real p = v >= 0 ? 1 / (1 + std::exp(-v)) : std::exp(v) / (1 + std::exp(v));
    out[i] = scale * (p - in.targets[i]);
  }
  return grad;
}

}  // namespace attn
