// The weights' exponential moving average (see weight_average.h).
#include "train/optim/weight_average.h"

#include <cmath>

#include "tensor/error.h"
#include "tensor/thread_pool.h"

namespace attn {

WeightAverage::WeightAverage(NamedParameters parameters, double beta) : beta_(beta) {
  check(beta > 0 && beta < 1, "weight average",
        "beta must lie in (0, 1), got " + std::to_string(beta));
  for (auto& [name, parameter] : parameters) {
    check(parameter.defined(), "weight average", name + " is an undefined variable");
    parameters_.push_back(parameter);
    names_.push_back(name);
    sums_.push_back(Tensor::zeros(parameter.shape()));
  }
}

void WeightAverage::update() {
  const auto beta = static_cast<real>(beta_);
  for (size_t i = 0; i < parameters_.size(); ++i) {
    Tensor value = parameters_[i].value();  // a handle sharing the parameter's storage
    const real* theta = optimizer_elements(value, value, "value", i);
    real* a = optimizer_elements(sums_[i], value, "average", i);
    parallel_for(value.numel(), kOptimizerChunk, [=](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) a[j] = beta * a[j] + (1 - beta) * theta[j];
    });
  }
  ++steps_;
}

std::vector<Tensor> WeightAverage::averaged() const {
  std::vector<Tensor> weights;
  if (steps_ == 0) {
    for (const Variable& parameter : parameters_) weights.push_back(parameter.value().clone());
    return weights;
  }
  // 1 / (1 - beta^t) in double: for large t, beta^t underflows gracefully to 0.
  const auto correction = static_cast<real>(1 / (1 - std::pow(beta_, static_cast<double>(steps_))));
  for (const Tensor& sum : sums_) {
    Tensor weight = sum.clone();
    real* w = weight.data();
    const int64_t n = weight.numel();
    for (int64_t j = 0; j < n; ++j) w[j] *= correction;
    weights.push_back(weight);
  }
  return weights;
}

OptimizerState WeightAverage::state() const {
  OptimizerState state;
  save_per_parameter(names_, "average.", sums_, state.tensors);
  state.counters["average_step"] = steps_;
  return state;
}

void WeightAverage::load_state(const OptimizerState& state) {
  std::vector<Tensor> sums = load_per_parameter(names_, parameters_, "average.", state.tensors);
  const int64_t steps = load_counter(state, "average_step", "weight average");
  sums_ = std::move(sums);
  steps_ = steps;
}

// ---- AveragedWeightsInUse ---------------------------------------------------------------------

AveragedWeightsInUse::AveragedWeightsInUse(const WeightAverage* average) : average_(average) {
  if (!average_) return;
  const std::vector<Tensor> averaged = average_->averaged();
  for (size_t i = 0; i < averaged.size(); ++i) {
    Variable parameter = average_->parameters()[i];
    trained_.push_back(parameter.value().clone());
    parameter.mutable_value().copy_from(averaged[i]);
  }
}

AveragedWeightsInUse::~AveragedWeightsInUse() {
  for (size_t i = 0; i < trained_.size(); ++i) {
    Variable parameter = average_->parameters()[i];
    parameter.mutable_value().copy_from(trained_[i]);
  }
}

}  // namespace attn
