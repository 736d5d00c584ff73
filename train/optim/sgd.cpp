// SGD with momentum (see sgd.h for the update rule).
#include "train/optim/sgd.h"

#include <string>

#include "tensor/error.h"
#include "tensor/thread_pool.h"

namespace attn {

SGD::SGD(NamedParameters parameters, real learning_rate, real momentum, real weight_decay)
    : Optimizer(std::move(parameters), learning_rate),
      momentum_(momentum),
      weight_decay_(weight_decay) {
  check(momentum >= 0 && weight_decay >= 0, "SGD", "momentum and weight_decay must be >= 0");
  if (momentum_ != 0) velocities_ = zero_state();
}

SGD::SGD(const std::vector<Variable>& parameters, real learning_rate, real momentum,
         real weight_decay)
    : SGD(named_by_position(parameters), learning_rate, momentum, weight_decay) {}

namespace {

// Elements [begin, end) of one parameter; b is null without momentum.
void sgd_update(real lr, real mu, real wd, real* p, const real* g, real* b, int64_t begin,
                int64_t end) {
  for (int64_t j = begin; j < end; ++j) {
    real d = g[j] + wd * p[j];
    if (b) d = b[j] = mu * b[j] + d;  // b starts at 0, so the first step has b = d
    p[j] -= lr * d;
  }
}

}  // namespace

void SGD::step() {
  const real lr = learning_rate_, mu = momentum_, wd = weight_decay_;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    if (!parameters_[i].has_grad()) continue;
    Tensor& value = parameters_[i].mutable_value();
    Tensor grad = parameters_[i].grad();
    real* p = optimizer_elements(value, value, "value", i);
    const real* g = optimizer_elements(grad, value, "gradient", i);
    real* b = mu != 0 ? optimizer_elements(velocities_[i], value, "velocity", i) : nullptr;
    parallel_for(value.numel(), kOptimizerChunk,
                 [=](int64_t begin, int64_t end) { sgd_update(lr, mu, wd, p, g, b, begin, end); });
  }
}

OptimizerState SGD::state() const {
  OptimizerState state;
  if (momentum_ != 0) save_per_parameter(names_, "sgd.b.", velocities_, state.tensors);
  return state;
}

void SGD::load_state(const OptimizerState& state) {
  if (momentum_ != 0)
    velocities_ = load_per_parameter(names_, parameters_, "sgd.b.", state.tensors);
}

}  // namespace attn
