// The backward engine (autograd/variable.h): hand-checked gradients, accumulation, graph
// bookkeeping, no-grad mode, and graphs deep enough to break a recursive implementation.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "tensor/error.h"

using namespace attn;

namespace {

Variable leaf(const Shape& shape, const std::vector<real>& values) {
  return Variable(Tensor::from_vector(shape, values), /*requires_grad=*/true);
}

Variable scalar_leaf(real value) { return Variable(Tensor::scalar(value), true); }

// y = x op 1 repeated `depth` times: a chain as deep as a long unrolled loop.
Variable deep_chain(const Variable& x, int depth) {
  Variable y = x;
  for (int i = 0; i < depth; ++i) y = y * real(1);
  return y;
}

}  // namespace

TEST_CASE("engine: backward of a small expression matches hand values") {
  Variable a = leaf({2}, {1, 2});
  Variable b = leaf({2}, {3, 4});
  // L = sum(a * b + a) = (1*3 + 1) + (2*4 + 2) = 14
  Variable loss = sum(a * b + a);
  CHECK(loss.item() == doctest::Approx(14));
  loss.backward();
  // dL/da = b + 1 = [4, 5],  dL/db = a = [1, 2]
  CHECK(a.grad().to_vector() == std::vector<real>{4, 5});
  CHECK(b.grad().to_vector() == std::vector<real>{1, 2});
}

TEST_CASE("engine: gradients accumulate across backward calls") {
  Variable x = scalar_leaf(3);
  (x * x).backward();  // d(x^2)/dx = 2x = 6
  (x * x).backward();  // another 6 on top
  CHECK(x.grad().item() == doctest::Approx(12));
}

TEST_CASE("engine: zero_grad clears the gradient") {
  Variable x = scalar_leaf(3);
  (x * x).backward();
  REQUIRE(x.has_grad());
  x.zero_grad();
  CHECK_FALSE(x.has_grad());
  (x * x).backward();  // starts again from nothing
  CHECK(x.grad().item() == doctest::Approx(6));
}

TEST_CASE("engine: a variable used twice receives both gradients") {
  SUBCASE("x + x: d/dx = 2") {
    Variable x = scalar_leaf(5);
    (x + x).backward();
    CHECK(x.grad().item() == doctest::Approx(2));
  }
  SUBCASE("x * x: d/dx = 2x") {
    Variable x = scalar_leaf(5);
    (x * x).backward();
    CHECK(x.grad().item() == doctest::Approx(10));
  }
}

TEST_CASE("engine: slices of one variable each add their gradient into their own window") {
  // x [2, 3] cut into its three columns, then two overlapping windows of two columns each:
  // L = sum_t (t + 1) * sum(x[:, t]) + sum(x[:, 0:2]) + sum(x[:, 1:3])
  Variable x = leaf({2, 3}, {1, 2, 3, 4, 5, 6});
  Variable loss = sum(narrow(x, 1, 0, 2)) + sum(narrow(x, -1, 1, 2));
  for (int64_t t = 0; t < 3; ++t) loss = loss + sum(narrow(x, 1, t, 1)) * static_cast<real>(t + 1);
  loss.backward();
  // column 0: 1 + 1; column 1: 2 + 1 + 1; column 2: 3 + 1
  CHECK(x.grad().to_vector() == std::vector<real>{2, 4, 4, 2, 4, 4});
}

TEST_CASE("engine: a gradient an op hands back is copied before anything is added into it") {
  // Two uses of x whose backward both return one saved tensor: the sum must not be formed in
  // that tensor, which the ops still own.
  const Tensor saved = Tensor::from_vector({2}, {1, 2});
  Variable x = leaf({2}, {0, 0});
  auto use = [&](const Variable& input) {
    return Variable::make_result(input.value().clone(), "use", {input},
                                 [saved](const Tensor&) { return std::vector<Tensor>{saved}; });
  };
  sum(use(x) + use(x)).backward();
  CHECK(x.grad().to_vector() == std::vector<real>{2, 4});
  CHECK(saved.to_vector() == std::vector<real>{1, 2});
}

TEST_CASE("engine: a diamond graph sums the gradients of both paths") {
  //        x
  //      /   \      b = x + 1,  c = x * x,  d = b * c = (x + 1) x^2
  //     b     c     dd/dx = x^2 + 2x (x + 1) = 4 + 12 = 16 at x = 2
  //      \   /
  //        d
  Variable x = scalar_leaf(2);
  Variable b = x + real(1);
  Variable c = x * x;
  Variable d = b * c;
  d.backward();
  CHECK(x.grad().item() == doctest::Approx(16));
}

TEST_CASE("engine: only leaves keep their gradient, and constants get none") {
  Variable x = scalar_leaf(2);
  Variable constant(Tensor::scalar(7));
  Variable y = x * constant;
  Variable z = y * real(3);
  z.backward();
  CHECK(x.grad().item() == doctest::Approx(21));  // dz/dx = 3 * 7
  CHECK_FALSE(y.has_grad());
  CHECK_FALSE(constant.has_grad());
}

TEST_CASE("engine: requires_grad propagates from any input that needs it") {
  Variable x = scalar_leaf(2);
  Variable constant(Tensor::scalar(7));
  CHECK(x.is_leaf());
  CHECK(x.requires_grad());
  CHECK_FALSE(constant.requires_grad());

  Variable mixed = x * constant;
  CHECK(mixed.requires_grad());
  CHECK_FALSE(mixed.is_leaf());
  REQUIRE(mixed.grad_fn() != nullptr);
  CHECK(mixed.grad_fn()->op == "mul");
  CHECK(mixed.grad_fn()->inputs.size() == 2);

  Variable constants_only = constant + constant;
  CHECK_FALSE(constants_only.requires_grad());
  CHECK(constants_only.grad_fn() == nullptr);
}

TEST_CASE("engine: NoGradGuard records nothing and restores the mode on exit") {
  Variable x = scalar_leaf(2);
  CHECK(grad_enabled());
  {
    NoGradGuard no_grad;
    CHECK_FALSE(grad_enabled());
    Variable y = x * x;
    CHECK(y.item() == doctest::Approx(4));  // the value is still computed
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
    {
      NoGradGuard nested;
      CHECK_FALSE(grad_enabled());
    }
    CHECK_FALSE(grad_enabled());  // the inner guard restores "off", not "on"
  }
  CHECK(grad_enabled());
  Variable y = x * x;
  CHECK(y.requires_grad());
  CHECK(y.grad_fn() != nullptr);
}

TEST_CASE("engine: detach stops gradients") {
  Variable x = scalar_leaf(3);
  Variable detached = x.detach();
  CHECK_FALSE(detached.requires_grad());
  CHECK(detached.value().shares_storage_with(x.value()));
  // y = stop(x) * x: only the second factor carries a gradient, dy/dx = 3
  (detached * x).backward();
  CHECK(x.grad().item() == doctest::Approx(3));
}

TEST_CASE("engine: backward twice needs keep_graph the first time") {
  Variable x = scalar_leaf(3);
  SUBCASE("without keep_graph the second call throws a clear message") {
    Variable y = x * x;
    y.backward();
    CHECK_THROWS_WITH_AS(y.backward(),
                         doctest::Contains("mul: backward through this graph a second time"),
                         Error);
  }
  SUBCASE("with keep_graph the second call works and accumulates") {
    Variable y = x * x;
    y.backward(/*keep_graph=*/true);
    y.backward();
    CHECK(x.grad().item() == doctest::Approx(12));
  }
}

TEST_CASE("engine: saved tensors are released after backward") {
  Variable x = leaf({3}, {1, 2, 3});
  Variable y = exp(x);  // saves its output
  Variable loss = sum(y);
  SUBCASE("by default") {
    loss.backward();
    CHECK_FALSE(static_cast<bool>(loss.grad_fn()->backward));
    CHECK_FALSE(static_cast<bool>(y.grad_fn()->backward));
  }
  SUBCASE("but kept with keep_graph") {
    loss.backward(/*keep_graph=*/true);
    CHECK(static_cast<bool>(y.grad_fn()->backward));
  }
}

TEST_CASE("engine: a chain 10,000 ops deep runs backward and is destroyed without recursion") {
  Variable x = scalar_leaf(2);
  {
    Variable y = deep_chain(x, 10'000);
    y.backward();
    CHECK(x.grad().item() == doctest::Approx(1));
  }  // y and its 10,000 nodes are destroyed here
  // Destroying a chain that never ran backward, saved tensors and all.
  { Variable y = deep_chain(x, 10'000); }
  CHECK(x.grad().item() == doctest::Approx(1));
}

TEST_CASE("engine: a chain 100,000 ops deep runs backward and is destroyed") {
  Variable x = scalar_leaf(2);
  {
    Variable y = deep_chain(x, 100'000);
    y.backward();
  }
  CHECK(x.grad().item() == doctest::Approx(1));
}

TEST_CASE("engine: backward from a non-scalar needs an output gradient") {
  Variable x = leaf({2}, {1, 2});
  Variable y = x * x;
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("backward: needs a scalar output"), Error);
  // With dL/dy given: dL/dx = dL/dy * 2x
  y.backward(Tensor::from_vector({2}, {1, 10}));
  CHECK(x.grad().to_vector() == std::vector<real>{2, 40});
}

TEST_CASE("engine: an output gradient of the wrong shape throws") {
  Variable x = leaf({2}, {1, 2});
  Variable y = x * x;
  CHECK_THROWS_WITH_AS(y.backward(Tensor::ones({3})),
                       "backward: output gradient [3] does not match output [2]", Error);
}

TEST_CASE("engine: backward from a variable that needs no gradient throws") {
  Variable constant(Tensor::scalar(1));
  CHECK_THROWS_WITH_AS(constant.backward(), doctest::Contains("does not require a gradient"),
                       Error);
}
