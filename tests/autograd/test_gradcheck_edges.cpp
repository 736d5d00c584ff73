// What the gradient-check table cannot hold: gradients that are zero or split by convention (the
// padding row, ties in max), dropout at p = 0, and the checker itself, which must fail on a wrong
// backward and leave its inputs as it found them.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/random.h"

using namespace attn;

namespace {

using Vars = std::vector<Variable>;

// Uniform in [-1, 1), as the table's inputs.
Tensor random(const Shape& shape, uint64_t seed) {
  Generator generator(seed);
  return uniform(shape, -1, 1, generator);
}

Tensor values(const Shape& shape, const std::vector<real>& v) {
  return Tensor::from_vector(shape, v);
}

}  // namespace

// ---- what finite differences cannot see -------------------------------------------------------

// The padding row's gradient is zero by design, not by calculus: the output does depend on it,
// so finite differences disagree and this case cannot be a table row.
TEST_CASE("embedding: the padding row gets no gradient, the others get their sums") {
  Variable weight(random({4, 2}, 1), true);
  const Tensor tokens = values({2, 2}, {0, 2, 2, 0});  // 0 is padding
  sum(embedding(weight, tokens, 0)).backward();
  // Each use of a row adds 1 to each of its elements: row 2 is used twice, rows 1 and 3 never.
  CHECK(weight.grad().to_vector() == std::vector<real>{0, 0, 0, 0, 2, 2, 0, 0});
}

// At a tie max has no derivative; attn, like PyTorch, gives the whole gradient to the first.
TEST_CASE("max: on a tie the gradient goes to the first maximum") {
  Variable x(values({2, 3}, {1, 3, 3, 5, 5, 2}), true);
  max(x, 1).backward(Tensor::from_vector({2}, {10, 20}));
  CHECK(x.grad().to_vector() == std::vector<real>{0, 10, 0, 20, 0, 0});
}

TEST_CASE("dropout: p = 0 is the identity and draws no random numbers") {
  Variable x(random({2, 3}, 1), true);
  Generator generator(5);
  const auto state = generator.state();
  CHECK(dropout(x, 0, generator).same_as(x));
  CHECK(generator.state() == state);
}

// ---- the checker itself -------------------------------------------------------------------------

namespace {

// y = x^2 with the derivative deliberately wrong (x instead of 2x).
Variable wrong_square(const Variable& x) {
  Tensor y = x.value() * x.value();
  return Variable::make_result(y, "wrong_square", {x}, [x = x.value()](const Tensor& g) {
    return std::vector<Tensor>{g * x};
  });
}

}  // namespace

TEST_CASE("gradcheck: a wrong backward fails, with a report naming input and element") {
  const GradCheckResult result =
      gradcheck([](const Vars& v) { return wrong_square(v[0]); }, {values({3}, {1, 2, 3})});
  CHECK_FALSE(result.passed);
  CHECK(result.max_abs_error > 1);
  CHECK(result.report.find("input 0 element 0: analytic") != std::string::npos);
  CHECK(result.report.find("input 0 element 2: analytic") != std::string::npos);
}

TEST_CASE("gradcheck: an expanded input is refused") {
  const Tensor expanded = Tensor::ones({1, 3}).expand({2, 3});
  CHECK_THROWS_WITH_AS(gradcheck([](const Vars& v) { return v[0] * v[0]; }, {expanded}),
                       doctest::Contains("gradcheck: input 0 of shape [2,3] is expanded"), Error);
}

TEST_CASE("gradcheck: the inputs are restored after checking") {
  const Tensor x = random({2, 3}, 1);
  const std::vector<real> before = x.to_vector();
  gradcheck([](const Vars& v) { return exp(v[0]); }, {x});
  CHECK(x.to_vector() == before);
}
