// Helpers the kernel tests share: a finite-difference gradient in double precision, against
// which backward kernels are checked, and an element-by-element comparison.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <vector>

#include "tensor/real.h"

namespace attn::test {

// Central differences of f at x, in double:  df/dx_i ~= (f(x + h e_i) - f(x - h e_i)) / 2h.
inline std::vector<double> numeric_gradient(
    const std::function<double(const std::vector<double>&)>& f, std::vector<double> x) {
  const double h = 1e-6;
  std::vector<double> grad(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const double saved = x[i];
    x[i] = saved + h;
    const double up = f(x);
    x[i] = saved - h;
    const double down = f(x);
    x[i] = saved;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

// Every actual[i] within a relative `tolerance` of expected[i].
inline void check_close(const std::vector<real>& actual, const std::vector<double>& expected,
                        double tolerance) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    CHECK(double(actual[i]) == doctest::Approx(expected[i]).epsilon(tolerance));
}

}  // namespace attn::test
