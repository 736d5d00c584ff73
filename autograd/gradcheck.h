// Finite-difference gradient checking: the test every differentiable op must pass.
//
// For f mapping inputs x to an output y, the checker compares the engine's gradient of
//   L(x) = sum(y * w)        (w fixed and random, so every output element matters)
// with central differences, one input element at a time:
//   dL/dx_i ~= (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)        error O(eps^2)
// In the float64 build (ATTN_FLOAT64) this is sharp to ~1e-8; in float32 the rounding noise
// ~1e-7 |L| / eps limits it to ~1e-2, so the tolerances follow the build's precision.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/variable.h"

namespace attn {

struct GradCheckOptions {
  double eps = sizeof(real) == sizeof(double) ? 1e-6 : 1e-2;   // finite-difference step
  double atol = sizeof(real) == sizeof(double) ? 1e-6 : 2e-2;  // allowed absolute error
  double rtol = sizeof(real) == sizeof(double) ? 1e-5 : 2e-2;  // allowed relative error
  uint64_t seed = 1234;                                        // for the weights w
};

struct GradCheckResult {
  bool passed = true;
  double max_abs_error = 0;
  std::string report;  // the first mismatches: input, element, analytic vs numeric
};

using GradCheckFunction = std::function<Variable(const std::vector<Variable>&)>;

// Checks f's gradient with respect to every input. Inputs are used as given (views included),
// so transposed and sliced inputs test the strided paths of both forward and backward.
GradCheckResult gradcheck(const GradCheckFunction& f, const std::vector<Tensor>& inputs,
                          const GradCheckOptions& options = {});

}  // namespace attn
