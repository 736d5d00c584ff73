// Finite-difference gradient checking (see gradcheck.h for the idea).
//
//   L(x) = sum_k y_k w_k,   y = f(x),   w ~ N(0, 1) fixed by the seed
//   analytic:  dL/dx from the engine (one backward pass)
//   numeric:   dL/dx_i ~= (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)    (central difference)
// An element passes when |analytic - numeric| <= atol + rtol * |numeric|.
//
// The numeric side evaluates f once per perturbation with no graph recorded, and sums L in
// double on the host, so the check adds no rounding of its own on top of f's.
#include "autograd/gradcheck.h"

#include <cmath>
#include <sstream>

#include "autograd/ops.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace attn {

namespace {

constexpr int kReportedMismatches = 5;

// Perturbing one storage element of an expanded input (stride 0 on a dimension of size > 1)
// would move every logical element that shares it, so the central difference would measure the
// sum of their derivatives instead of one.
void check_not_expanded(const Tensor& input, size_t index) {
  check(input.defined(), "gradcheck",
        [&] { return "input " + std::to_string(index) + " is undefined"; });
  for (int d = 0; d < input.ndim(); ++d)
    check(input.strides()[d] != 0 || input.shape()[d] == 1, "gradcheck", [&] {
      return "input " + std::to_string(index) + " of shape " + to_string(input.shape()) +
             " is expanded (stride 0 on dimension " + std::to_string(d) +
             "); pass input.clone() instead";
    });
}

// L = sum(y * w), accumulated in double.
double weighted_sum(const Tensor& y, const Tensor& w) {
  const std::vector<real> ys = y.to_vector(), ws = w.to_vector();
  double total = 0;
  for (size_t k = 0; k < ys.size(); ++k) total += double(ys[k]) * double(ws[k]);
  return total;
}

// The inputs as leaf variables: tracked for the analytic pass, constants for the numeric one.
std::vector<Variable> leaves(const std::vector<Tensor>& inputs, bool requires_grad) {
  std::vector<Variable> variables;
  for (const Tensor& input : inputs) variables.emplace_back(input, requires_grad);
  return variables;
}

// L at the inputs' current values, without recording a graph.
double loss_at(const GradCheckFunction& f, const std::vector<Tensor>& inputs, const Tensor& w) {
  NoGradGuard no_grad;
  return weighted_sum(f(leaves(inputs, false)).value(), w);
}

// dL/dv for every leaf v, from one backward pass; zeros where no gradient arrived.
std::vector<Tensor> gradients_of(const Variable& loss, const std::vector<Variable>& variables) {
  if (loss.requires_grad()) loss.backward();
  std::vector<Tensor> grads;
  for (const Variable& v : variables)
    grads.push_back(v.has_grad() ? v.grad() : Tensor::zeros(v.shape()));
  return grads;
}

// (L(x + eps e_i) - L(x - eps e_i)) / (2 eps) for the input element at `element`, which is
// restored afterwards.
double central_difference(const GradCheckFunction& f, const std::vector<Tensor>& inputs,
                          const Tensor& w, real* element, double eps) {
  const real original = *element;
  // Divide by the step actually taken: x +- eps rounds to the nearest real.
  const real plus = static_cast<real>(original + eps);
  const real minus = static_cast<real>(original - eps);
  *element = plus;
  const double loss_plus = loss_at(f, inputs, w);
  *element = minus;
  const double loss_minus = loss_at(f, inputs, w);
  *element = original;
  return (loss_plus - loss_minus) / (double(plus) - double(minus));
}

}  // namespace

GradCheckResult gradcheck(const GradCheckFunction& f, const std::vector<Tensor>& inputs,
                          const GradCheckOptions& options) {
  for (size_t i = 0; i < inputs.size(); ++i) check_not_expanded(inputs[i], i);

  const std::vector<Variable> variables = leaves(inputs, true);
  const Variable y = f(variables);
  Generator generator(options.seed);
  const Tensor w = normal(y.shape(), 0, 1, generator);
  const std::vector<Tensor> analytic = gradients_of(sum(y * Variable(w)), variables);

  GradCheckResult result;
  int mismatches = 0;
  std::ostringstream report;
  report.precision(8);
  for (size_t i = 0; i < inputs.size(); ++i) {
    Tensor input = inputs[i];  // a handle to the caller's storage: perturbed, then restored
    real* base = input.data();
    const std::vector<real> expected = analytic[i].to_vector();
    int64_t element = 0;  // row-major position, as the report names it
    for_each_offset(input.shape(), input.strides(), [&](int64_t offset) {
      const double numeric = central_difference(f, inputs, w, base + offset, options.eps);
      const double error = std::abs(double(expected[element]) - numeric);
      // Both comparisons are written so that a NaN counts as an error, never as a pass.
      if (!(error <= result.max_abs_error)) result.max_abs_error = error;
      if (!(error <= options.atol + options.rtol * std::abs(numeric))) {
        result.passed = false;
        if (mismatches++ < kReportedMismatches)
          report << "input " << i << " element " << element << ": analytic "
                 << expected[element] << ", numeric " << numeric << "\n";
      }
      ++element;
    });
  }
  if (mismatches > kReportedMismatches)
    report << "... " << mismatches - kReportedMismatches << " more mismatches\n";
  result.report = report.str();
  return result;
}

}  // namespace attn
