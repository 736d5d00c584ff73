// Adam and AdamW (see adam.h for the update rule).
//
// Each update is one loop over a parameter's contiguous elements, reading p, g, m and v and
// writing them back in place. Scalars that depend only on the step (the bias corrections) are
// computed once per step in double, as PyTorch computes them in Python floats; the per-element
// arithmetic runs in the parameter's precision, `real`, in PyTorch's order of operations, so
// both give the same numbers.
#include "train/optim/adam.h"

#include <cmath>
#include <string>

#include "tensor/error.h"
#include "tensor/thread_pool.h"

namespace attn {

AdamOptions AdamOptions::transformer_paper() {
  AdamOptions options;
  options.beta1 = 0.9;
  options.beta2 = 0.98;
  options.eps = 1e-9;
  return options;
}

Adam::Adam(NamedParameters parameters, const AdamOptions& options)
    : Optimizer(std::move(parameters), options.learning_rate),
      options_(options),
      first_moments_(zero_state()),
      second_moments_(zero_state()) {
  check_options();
}

Adam::Adam(const std::vector<Variable>& parameters, const AdamOptions& options)
    : Adam(named_by_position(parameters), options) {}

void Adam::check_options() const {
  check(options_.beta1 >= 0 && options_.beta1 < 1 && options_.beta2 >= 0 && options_.beta2 < 1,
        "Adam",
        "betas must lie in [0, 1), got " + std::to_string(options_.beta1) + " and " +
            std::to_string(options_.beta2));
  check(options_.eps >= 0 && options_.weight_decay >= 0, "Adam",
        "eps and weight_decay must be >= 0");
}

namespace {

// What one Adam step applies to every element: the options and this step's bias corrections.
struct AdamCoefficients {
  real beta1, beta2, eps;
  real l2;                     // wd for Adam, 0 for AdamW
  real shrink;                 // 1 - lr * wd for AdamW, 1 for Adam
  real step_size;              // lr / (1 - b1^t)
  real bias_correction2_sqrt;  // sqrt(1 - b2^t)
};

// Elements [begin, end) of one parameter. lr * mhat / (sqrt(vhat) + eps) is evaluated as
// step_size * m / (sqrt(v) / sqrt(1 - b2^t) + eps), PyTorch's order of operations. The unused
// weight decay is the identity (g + 0 * p == g, p * 1 == p), which keeps the loop branch-free.
void adam_update(const AdamCoefficients c, real* p, const real* g, real* m, real* v, int64_t begin,
                 int64_t end) {
  for (int64_t j = begin; j < end; ++j) {
    const real gj = g[j] + c.l2 * p[j];
    p[j] *= c.shrink;
    m[j] = c.beta1 * m[j] + (1 - c.beta1) * gj;
    v[j] = c.beta2 * v[j] + (1 - c.beta2) * gj * gj;
    const real denominator = std::sqrt(v[j]) / c.bias_correction2_sqrt + c.eps;
    p[j] -= c.step_size * (m[j] / denominator);
  }
}

}  // namespace

void Adam::step() {
  ++step_count_;
  const double t = static_cast<double>(step_count_);
  const double lr = learning_rate_, wd = options_.weight_decay;
  const bool decoupled = options_.decoupled_weight_decay;
  const AdamCoefficients c{
      .beta1 = options_.beta1,
      .beta2 = options_.beta2,
      .eps = options_.eps,
      .l2 = static_cast<real>(decoupled ? 0 : wd),
      .shrink = static_cast<real>(decoupled ? 1 - lr * wd : 1),
      .step_size = static_cast<real>(lr / (1 - std::pow(static_cast<double>(options_.beta1), t))),
      .bias_correction2_sqrt =
          static_cast<real>(std::sqrt(1 - std::pow(static_cast<double>(options_.beta2), t))),
  };
  for (size_t i = 0; i < parameters_.size(); ++i) {
    if (!parameters_[i].has_grad()) continue;
    Tensor& value = parameters_[i].mutable_value();
    Tensor grad = parameters_[i].grad();
    real* p = optimizer_elements(value, value, "value", i);
    const real* g = optimizer_elements(grad, value, "gradient", i);
    real* m = optimizer_elements(first_moments_[i], value, "first moment", i);
    real* v = optimizer_elements(second_moments_[i], value, "second moment", i);
    parallel_for(value.numel(), kOptimizerChunk,
                 [=](int64_t begin, int64_t end) { adam_update(c, p, g, m, v, begin, end); });
  }
}

OptimizerState Adam::state() const {
  OptimizerState state;
  save_per_parameter(names_, "adam.m.", first_moments_, state.tensors);
  save_per_parameter(names_, "adam.v.", second_moments_, state.tensors);
  state.counters["adam_step"] = step_count_;
  return state;
}

void Adam::load_state(const OptimizerState& state) {
  std::vector<Tensor> m = load_per_parameter(names_, parameters_, "adam.m.", state.tensors);
  std::vector<Tensor> v = load_per_parameter(names_, parameters_, "adam.v.", state.tensors);
  const int64_t step = load_counter(state, "adam_step", "optimizer");
  first_moments_ = std::move(m);
  second_moments_ = std::move(v);
  step_count_ = step;
}

}  // namespace attn
