// Inverted dropout (Srivastava et al. 2014; Vaswani et al. 2017, §5.4 "Residual Dropout").
//
//   m_i ~ Bernoulli(1 - p)          keep each element with probability 1 - p
//   y = x * m / (1 - p)             scaled now, so E[y] = x and inference needs no rescaling
//   dx = g * m / (1 - p)            y is linear in x with the same fixed mask
// The mask comes from the caller's Generator, so a seeded run drops the same elements every
// time. Only its seed is kept for the backward, which makes the same mask again: a mask as large
// as x for every dropout of a step would be a fifth of a Transformer's activation memory.
// Turning dropout off at inference is the caller's job (nn/), not this op's.
#include "autograd/ops.h"

#include "tensor/error.h"
#include "tensor/random.h"

namespace attn {

Variable dropout(const Variable& x, real p, Generator& generator) {
  check(p >= 0 && p < 1, "dropout",
        [&] { return "p must be in [0, 1), got " + std::to_string(p); });
  // Nothing dropped and nothing scaled: the identity, and no random numbers drawn.
  if (p == 0) return x;
  const real keep = 1 - p, scale = 1 / (1 - p);
  const uint64_t seed = generator.next_u64();  // the mask's, as bernoulli() would draw it
  Tensor y = multiply_by_bernoulli(x.value(), keep, seed, scale);
  // y = x * m / (1 - p)  =>  dy/dx = m / (1 - p)
  return Variable::make_result(y, "dropout", {x}, [seed, keep, scale](const Tensor& g) {
    return std::vector<Tensor>{multiply_by_bernoulli(g, keep, seed, scale)};
  });
}

}  // namespace attn
