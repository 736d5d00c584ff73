// SGD, Adam/AdamW and gradient-norm clipping (see optimizer.h for the update rules).
//
// Each update is one loop over a parameter's contiguous elements, reading p, g and the state
// (m, v or b) and writing them back in place. Scalars that depend only on the step (the bias
// corrections) are computed once per step in double, as PyTorch computes them in Python floats;
// the per-element arithmetic runs in the parameter's precision, `real`, in PyTorch's order of
// operations, so both give the same numbers.
#include "train/optim/optimizer.h"

#include <cmath>
#include <string>

#include "tensor/error.h"
#include "tensor/thread_pool.h"

namespace attn {

namespace {

// Parameters smaller than this are updated on the calling thread: waking the pool costs more.
constexpr int64_t kMinChunk = 1 << 15;

// The flat elements of a parameter's value, gradient or optimiser state. Everything the
// optimisers touch is created contiguous (parameters by Module, gradients by the engine, state
// here); this check catches a view or a wrongly shaped tensor slipped in through a checkpoint.
// (The message is built only on failure: this runs for every parameter on every step.)
real* elements(Tensor& tensor, const Tensor& parameter, const char* what, size_t index) {
  if (!tensor.defined() || tensor.shape() != parameter.shape() || !tensor.is_contiguous())
    throw Error(std::string("optimizer: ") + what + " of parameter " + std::to_string(index) +
                " must be a contiguous " + to_string(parameter.shape()) + " tensor");
  return tensor.data();
}

// Zero state tensors shaped like each parameter (moments, velocities).
std::vector<Tensor> zeros_like(const std::vector<Variable>& parameters) {
  std::vector<Tensor> state;
  state.reserve(parameters.size());
  for (const Variable& parameter : parameters) state.push_back(Tensor::zeros(parameter.shape()));
  return state;
}

}  // namespace

// ---- Optimizer --------------------------------------------------------------------------------

Optimizer::Optimizer(std::vector<Variable> parameters, real learning_rate)
    : parameters_(std::move(parameters)), learning_rate_(learning_rate) {
  for (size_t i = 0; i < parameters_.size(); ++i) {
    check(parameters_[i].defined(), "optimizer",
          "parameter " + std::to_string(i) + " is an undefined variable");
    // A parameter listed twice (a tied weight registered under two names) would be updated twice
    // per step, with two sets of moments.
    for (size_t j = 0; j < i; ++j)
      if (parameters_[i].same_as(parameters_[j]))
        throw Error("optimizer: parameter " + std::to_string(i) + " is parameter " +
                    std::to_string(j) + " again; pass each parameter once");
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

// ---- Adam -------------------------------------------------------------------------------------

Adam::Adam(std::vector<Variable> parameters, const AdamOptions& options)
    : Optimizer(std::move(parameters), options.learning_rate),
      options_(options),
      first_moments_(zeros_like(parameters_)),
      second_moments_(zeros_like(parameters_)) {
  check(options.beta1 >= 0 && options.beta1 < 1 && options.beta2 >= 0 && options.beta2 < 1,
        "Adam", "betas must lie in [0, 1), got " + std::to_string(options.beta1) + " and " +
                    std::to_string(options.beta2));
  check(options.eps >= 0 && options.weight_decay >= 0, "Adam",
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
void adam_update(const AdamCoefficients c, real* p, const real* g, real* m, real* v,
                 int64_t begin, int64_t end) {
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
    real* p = elements(value, value, "value", i);
    const real* g = elements(grad, value, "gradient", i);
    real* m = elements(first_moments_[i], value, "first moment", i);
    real* v = elements(second_moments_[i], value, "second moment", i);
    parallel_for(value.numel(), kMinChunk, [=](int64_t begin, int64_t end) {
      adam_update(c, p, g, m, v, begin, end);
    });
  }
}

int64_t Adam::step_count() const { return step_count_; }

void Adam::set_step_count(int64_t step_count) {
  check(step_count >= 0, "Adam", "step count must be >= 0, got " + std::to_string(step_count));
  step_count_ = step_count;
}

std::vector<Tensor>& Adam::first_moments() { return first_moments_; }
std::vector<Tensor>& Adam::second_moments() { return second_moments_; }
const std::vector<Tensor>& Adam::first_moments() const { return first_moments_; }
const std::vector<Tensor>& Adam::second_moments() const { return second_moments_; }

// ---- SGD --------------------------------------------------------------------------------------

SGD::SGD(std::vector<Variable> parameters, real learning_rate, real momentum, real weight_decay)
    : Optimizer(std::move(parameters), learning_rate),
      momentum_(momentum),
      weight_decay_(weight_decay) {
  check(momentum >= 0 && weight_decay >= 0, "SGD", "momentum and weight_decay must be >= 0");
  if (momentum_ != 0) velocities_ = zeros_like(parameters_);
}

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
    real* p = elements(value, value, "value", i);
    const real* g = elements(grad, value, "gradient", i);
    real* b = mu != 0 ? elements(velocities_[i], value, "velocity", i) : nullptr;
    parallel_for(value.numel(), kMinChunk, [=](int64_t begin, int64_t end) {
      sgd_update(lr, mu, wd, p, g, b, begin, end);
    });
  }
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

real clip_grad_norm(const std::vector<Variable>& parameters, real max_norm) {
  check(max_norm > 0, "clip_grad_norm", "max_norm must be > 0, got " + std::to_string(max_norm));
  double total = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (!parameters[i].has_grad()) continue;
    Tensor grad = parameters[i].grad();  // a handle sharing the gradient's storage
    total += sum_of_squares(elements(grad, parameters[i].value(), "gradient", i), grad.numel());
  }
  const double norm = std::sqrt(total);
  // PyTorch's 1e-6 keeps the division finite when every gradient is zero.
  const real scale = static_cast<real>(max_norm / (norm + 1e-6));
  if (scale >= 1) return static_cast<real>(norm);
  for (const Variable& parameter : parameters) {
    if (!parameter.has_grad()) continue;
    Tensor grad = parameter.grad();
    real* g = grad.data();  // contiguous: checked in the first pass
    const int64_t n = grad.numel();
    for (int64_t j = 0; j < n; ++j) g[j] *= scale;
  }
  return static_cast<real>(norm);
}

}  // namespace attn
