// Dropout as a module: the op (autograd/dropout.cpp) in training, the identity in eval mode.
//
//   training:  y = x * m / (1 - p),  m ~ Bernoulli(1 - p)
//   eval:      y = x
#include "nn/layers/dropout.h"

#include "autograd/ops.h"
#include "tensor/error.h"

namespace attn {

Dropout::Dropout(real p, Generator& generator) : p_(p), generator_(&generator) {
  check(p >= 0 && p < 1, "Dropout",
        [&] { return "p must be in [0, 1), got " + std::to_string(p); });
}

Variable Dropout::forward(const Variable& x) const {
  // p == 0 returns x itself and draws nothing, so turning dropout off leaves the random stream
  // (and so every other mask of the run) as it was.
  if (!is_training() || p_ == 0) return x;
  return dropout(x, p_, *generator_);
}

}  // namespace attn
