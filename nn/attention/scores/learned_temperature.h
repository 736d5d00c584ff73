// Learned-temperature score: scaled dot product whose scale training chooses.
//
//   e[t, s] = q_t . k_s / tau          tau a learned scalar, initialised to sqrt(d_k)
//
// Vaswani et al. 2017 (§3.2.1) fix tau = sqrt(d_k) to keep the softmax out of saturation; here
// the model may sharpen its attention (tau falls) or soften it (tau rises). CLIP learns its
// softmax temperature in the same way (Radford et al. 2021). It starts exactly as scaled_dot.
// tau is not constrained; learn log tau instead if a run ever drives it to 0.
#pragma once

#include <cmath>
#include <string>

#include "autograd/ops.h"
#include "nn/attention/score_function.h"
#include "tensor/error.h"

namespace attn {

class LearnedTemperatureScore : public ScoreFunction {
 public:
  explicit LearnedTemperatureScore(const ScoreSpec& spec) {
    check_no_settings(spec, "learned_temperature score");
    check(spec.key_dim > 0, "learned_temperature score",
          [&] { return "needs spec.key_dim, got " + std::to_string(spec.key_dim); });
    tau = register_parameter("tau", Tensor::scalar(std::sqrt(static_cast<real>(spec.key_dim))));
  }

  // queries [..., T, d_k], keys [..., S, d_k] -> scores [..., T, S]
  Variable scores(const Variable& queries, const Variable& keys, const ScoreContext&) override {
    check(queries.size(-1) == keys.size(-1), "learned_temperature score", [&] {
      return "query width " + std::to_string(queries.size(-1)) + " differs from key width " +
             std::to_string(keys.size(-1)) + " (q . k needs Eq = Ek)";
    });
    return matmul(queries, transpose(keys, -2, -1)) / tau;  // [..., T, S] / [] -> [..., T, S]
  }

  Variable tau;  // temperature, a scalar []
};

}  // namespace attn
