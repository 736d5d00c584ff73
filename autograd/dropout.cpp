// Inverted dropout (Srivastava et al. 2014; Vaswani et al. 2017, §5.4 "Residual Dropout").
//
//   m_i ~ Bernoulli(1 - p)          keep each element with probability 1 - p
//   y = x * m / (1 - p)             scaled now, so E[y] = x and inference needs no rescaling
//   dx = g * m / (1 - p)            y is linear in x with the same fixed mask
// The mask comes from the caller's Generator, so a seeded run drops the same elements every
// time. Turning dropout off at inference is the caller's job (nn/), not this op's.
#include "autograd/ops.h"

#include "tensor/elementwise.h"
#include "tensor/error.h"

namespace attn {

Variable dropout(const Variable& x, real p, Generator& generator) {
  check(p >= 0 && p < 1, "dropout",
        [&] { return "p must be in [0, 1), got " + std::to_string(p); });
  // Nothing dropped and nothing scaled: the identity, and no random numbers drawn.
  if (p == 0) return x;
  const Tensor scaled_mask = bernoulli(x.shape(), 1 - p, generator) * (1 / (1 - p));
  Tensor y = x.value() * scaled_mask;
  // y = x * m / (1 - p)  =>  dy/dx = m / (1 - p)
  return Variable::make_result(y, "dropout", {x}, [scaled_mask](const Tensor& g) {
    return std::vector<Tensor>{g * scaled_mask};
  });
}

}  // namespace attn
