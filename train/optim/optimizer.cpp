// What every optimiser shares, and gradient-norm clipping (see optimizer.h).
#include "train/optim/optimizer.h"

#include <cmath>
#include <string>

#include "tensor/error.h"

namespace attn {

NamedParameters named_by_position(const std::vector<Variable>& parameters) {
  NamedParameters named;
  for (size_t i = 0; i < parameters.size(); ++i)
    named.emplace_back(std::to_string(i), parameters[i]);
  return named;
}

real* optimizer_elements(Tensor& tensor, const Tensor& parameter, const char* what, size_t index) {
  // The message is built only on failure: this runs for every parameter on every step.
  if (!tensor.defined() || tensor.shape() != parameter.shape() || !tensor.is_contiguous())
    throw Error(std::string("optimizer: ") + what + " of parameter " + std::to_string(index) +
                " must be a contiguous " + to_string(parameter.shape()) + " tensor");
  return tensor.data();
}

// ---- Optimizer --------------------------------------------------------------------------------

Optimizer::Optimizer(NamedParameters parameters, real learning_rate)
    : learning_rate_(learning_rate) {
  for (auto& [name, parameter] : parameters) {
    const size_t i = parameters_.size();
    check(parameter.defined(), "optimizer",
          "parameter " + std::to_string(i) + " (" + name + ") is an undefined variable");
    // A parameter listed twice (a tied weight registered under two names) would be updated twice
    // per step, with two sets of moments.
    for (size_t j = 0; j < i; ++j)
      if (parameter.same_as(parameters_[j]))
        throw Error("optimizer: parameter " + std::to_string(i) + " is parameter " +
                    std::to_string(j) + " again; pass each parameter once");
    parameters_.push_back(parameter);
    names_.push_back(name);
  }
  set_learning_rate(learning_rate);
}

void Optimizer::zero_grad() {
  for (Variable& parameter : parameters_) parameter.zero_grad();
}

void Optimizer::set_learning_rate(real learning_rate) {
  check(learning_rate >= 0, "optimizer",
        "learning rate must be >= 0, got " + std::to_string(learning_rate));
  learning_rate_ = learning_rate;
}

real Optimizer::learning_rate() const { return learning_rate_; }

const std::vector<Variable>& Optimizer::parameters() const { return parameters_; }

const std::vector<std::string>& Optimizer::names() const { return names_; }

std::vector<Tensor> Optimizer::zero_state() const {
  std::vector<Tensor> state;
  for (const Variable& parameter : parameters_) state.push_back(Tensor::zeros(parameter.shape()));
  return state;
}

void save_per_parameter(const std::vector<std::string>& names, const std::string& prefix,
                        const std::vector<Tensor>& tensors, StateDict& out) {
  for (size_t i = 0; i < names.size(); ++i) out[prefix + names[i]] = tensors[i].clone();
}

std::vector<Tensor> load_per_parameter(const std::vector<std::string>& names,
                                       const std::vector<Variable>& parameters,
                                       const std::string& prefix, const StateDict& in) {
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < parameters.size(); ++i) {
    const std::string key = prefix + names[i];
    auto found = in.find(key);
    check(found != in.end(), "optimizer", key + ": missing");
    check(found->second.shape() == parameters[i].shape(), "optimizer",
          key + ": saved " + to_string(found->second.shape()) + ", parameter has " +
              to_string(parameters[i].shape()));
    tensors.push_back(found->second.clone());  // contiguous, and the caller's own
  }
  return tensors;
}

int64_t load_counter(const OptimizerState& state, const std::string& name, const char* what) {
  auto found = state.counters.find(name);
  check(found != state.counters.end(), what, name + ": missing");
  check(found->second >= 0, what, name + " must be >= 0, got " + std::to_string(found->second));
  return found->second;
}

// ---- gradient clipping ------------------------------------------------------------------------

namespace {

// sum of x^2 in double, so millions of small terms added to a large total keep their low bits.
// Eight interleaved partial sums let the adds overlap (one running sum waits on every add's
// latency) and still fix the order, so the result is the same run after run.
double sum_of_squares(const real* x, int64_t n) {
  double partial[8] = {};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; ++k) partial[k] += static_cast<double>(x[j + k]) * x[j + k];
  for (; j < n; ++j) partial[0] += static_cast<double>(x[j]) * x[j];
  double total = 0;
  for (double sum : partial) total += sum;
  return total;
}

}  // namespace

double gradient_norm(const std::vector<Variable>& parameters) {
  double total = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (!parameters[i].has_grad()) continue;
    Tensor grad = parameters[i].grad();  // a handle sharing the gradient's storage
    total += sum_of_squares(optimizer_elements(grad, parameters[i].value(), "gradient", i),
                            grad.numel());
  }
  return std::sqrt(total);
}

void clip_gradients(const std::vector<Variable>& parameters, double norm, real max_norm) {
  check(max_norm > 0, "clip_grad_norm", "max_norm must be > 0, got " + std::to_string(max_norm));
  // PyTorch's 1e-6 keeps the division finite when every gradient is zero.
  const real scale = static_cast<real>(max_norm / (norm + 1e-6));
  if (scale >= 1) return;
  for (const Variable& parameter : parameters) {
    if (!parameter.has_grad()) continue;
    Tensor grad = parameter.grad();
    real* g = grad.data();  // contiguous: checked by gradient_norm
    const int64_t n = grad.numel();
    for (int64_t j = 0; j < n; ++j) g[j] *= scale;
  }
}

real clip_grad_norm(const std::vector<Variable>& parameters, real max_norm) {
  check(max_norm > 0, "clip_grad_norm", "max_norm must be > 0, got " + std::to_string(max_norm));
  const double norm = gradient_norm(parameters);
  clip_gradients(parameters, norm, max_norm);
  return static_cast<real>(norm);
}

}  // namespace attn
