// Elementwise kernels (tensor/elementwise.h): known values, broadcasting, fast path vs strided
// path, and error messages. Tolerances hold in float32 and float64 builds alike.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "tensor/elementwise.h"
#include "tensor/error.h"

using namespace attn;

namespace {
using Values = std::vector<real>;

Tensor vec(const Values& values) {
  return Tensor::from_vector({static_cast<int64_t>(values.size())}, values);
}

// The same values as `t` ([rows, cols]) in a non-contiguous layout, to force the strided path.
Tensor strided_copy(const Tensor& t) { return t.transpose(0, 1).contiguous().transpose(0, 1); }

void check_values(const Tensor& t, const Values& expected) {
  const Values got = t.to_vector();
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(expected[i]).epsilon(1e-6));
  }
}
}  // namespace

// ---- unary --------------------------------------------------------------------------------------

TEST_CASE("unary ops: known values at -2, -0.5, 0, 0.5, 2") {
  struct Row {
    std::string name;
    std::function<Tensor(const Tensor&)> op;
    Values expected;
  };
  const Tensor x = vec({-2, -0.5, 0, 0.5, 2});
  const Row rows[] = {
      {"neg", [](const Tensor& t) { return neg(t); }, {2, 0.5, 0, -0.5, -2}},
      {"abs", [](const Tensor& t) { return abs(t); }, {2, 0.5, 0, 0.5, 2}},
      {"sign", [](const Tensor& t) { return sign(t); }, {-1, -1, 0, 1, 1}},
      {"relu", [](const Tensor& t) { return relu(t); }, {0, 0, 0, 0.5, 2}},
      // e^-2 = 0.1353352832, e^-0.5 = 0.6065306597, e^0.5 = 1.6487212707, e^2 = 7.3890560989
      {"exp", [](const Tensor& t) { return exp(t); },
       {0.1353352832366127, 0.6065306597126334, 1, 1.6487212707001282, 7.38905609893065}},
      // tanh(x) = (e^2x - 1) / (e^2x + 1): tanh(0.5) = 1.7182818 / 3.7182818 = 0.4621171573
      {"tanh", [](const Tensor& t) { return tanh(t); },
       {-0.9640275800758169, -0.46211715726000974, 0, 0.46211715726000974, 0.9640275800758169}},
      // 1 / (1 + e^2) = 1 / 8.3890560989 = 0.1192029220; 1 / (1 + e^0.5) = 0.3775406688
      {"sigmoid", [](const Tensor& t) { return sigmoid(t); },
       {0.11920292202211755, 0.3775406687981454, 0.5, 0.6224593312018546, 0.8807970779778823}},
      // x * Phi(x): Phi(2) = 0.9772498681, Phi(0.5) = 0.6914624613, Phi(-x) = 1 - Phi(x)
      {"gelu", [](const Tensor& t) { return gelu(t); },
       {-0.04550026389635842, -0.15426876936299344, 0, 0.3457312306370066, 1.9544997361036416}},
      // Phi(x) + x phi(x): phi(2) = 0.0539909665, phi(0.5) = 0.3520653268
      // at 2: 0.9772498681 + 2 * 0.0539909665 = 1.0852318011
      // at 0.5: 0.6914624613 + 0.5 * 0.3520653268 = 0.8674951247
      {"gelu_derivative", [](const Tensor& t) { return gelu_derivative(t); },
       {-0.08523180107819692, 0.13250487534383712, 0.5, 0.8674951246561629, 1.085231801078197}},
      {"pow 2", [](const Tensor& t) { return pow(t, 2); }, {4, 0.25, 0, 0.25, 4}},
      {"x * 3", [](const Tensor& t) { return t * 3; }, {-6, -1.5, 0, 1.5, 6}},
      {"x + 1", [](const Tensor& t) { return t + 1; }, {-1, 0.5, 1, 1.5, 3}},
      {"x - 1", [](const Tensor& t) { return t - 1; }, {-3, -1.5, -1, -0.5, 1}},
      {"1 - x", [](const Tensor& t) { return 1 - t; }, {3, 1.5, 1, 0.5, -1}},
      {"x / 4", [](const Tensor& t) { return t / 4; }, {-0.5, -0.125, 0, 0.125, 0.5}},
      {"-x", [](const Tensor& t) { return -t; }, {2, 0.5, 0, -0.5, -2}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    check_values(row.op(x), row.expected);
  }
}

TEST_CASE("unary ops: log, sqrt and division by a tensor at known points") {
  // log(e^2) = 2, log(1) = 0, log(0.25) = -2 ln 2 = -1.3862943611
  check_values(log(vec({static_cast<real>(std::exp(2.0)), 1, 0.25})), {2, 0, -1.3862943611198906});
  check_values(sqrt(vec({9, 0.25, 0})), {3, 0.5, 0});
  check_values(2 / vec({4, -0.5}), {0.5, -4});
  check_values(pow(vec({4, 9}), 0.5), {2, 3});
}

TEST_CASE("sigmoid: stays finite and saturates for large |x|") {
  const Values y = sigmoid(vec({-1000, -100, 100, 1000})).to_vector();
  CHECK(y[0] == 0);
  CHECK(y[1] >= 0);
  CHECK(y[1] < 1e-30);
  CHECK(y[2] == 1);
  CHECK(y[3] == 1);
}

TEST_CASE("gelu_derivative: matches central differences of gelu") {
  const real h = 1e-2;  // large enough that float32 rounding (1e-7 / h) stays below 1e-4
  const Tensor x = vec({-3, -1.5, -0.3, 0.1, 0.7, 2.5});
  const Tensor numeric = (gelu(x + h) - gelu(x - h)) / (2 * h);
  // Truncation error h^2 / 6 * |gelu'''| is 1.3e-5 at worst on these points (checked in double)
  CHECK(allclose(gelu_derivative(x), numeric, 0, 2e-4));
}

TEST_CASE("relu: lets NaN through so that divergence stays visible") {
  CHECK(std::isnan(relu(vec({std::numeric_limits<real>::quiet_NaN()})).item()));
}

TEST_CASE("relu_backward: passes the gradient where y > 0 and nothing at the kink") {
  const Tensor y = relu(vec({-2, 0, 0.5, 3}));
  check_values(relu_backward(vec({10, 20, 30, 40}), y), {0, 0, 30, 40});
  CHECK_THROWS_WITH(relu_backward(vec({1, 2}), y),
                    "relu_backward: grad_y [2] must have the shape of y [4]");
}

TEST_CASE("unary ops: read any view and return a new contiguous tensor") {
  const Tensor t = Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor y = neg(t.transpose(0, 1));  // [3,2]
  CHECK(y.is_contiguous());
  CHECK(y.shape() == Shape{3, 2});
  check_values(y, {-1, -4, -2, -5, -3, -6});
  CHECK_FALSE(abs(t).shares_storage_with(t));
  CHECK(exp(Tensor({0, 2})).shape() == Shape{0, 2});
}

// ---- binary -------------------------------------------------------------------------------------

TEST_CASE("add: [2,3] + [3] broadcasts the row to every row") {
  const Tensor a = Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = vec({10, 20, 30});
  check_values(a + b, {11, 22, 33, 14, 25, 36});
  check_values(b + a, {11, 22, 33, 14, 25, 36});
}

TEST_CASE("sub and div: keep the operand order when the first operand is the broadcast row") {
  const Tensor row = vec({12, 6});
  const Tensor m = Tensor::from_vector({2, 2}, {1, 2, 3, 4});
  check_values(row - m, {11, 4, 9, 2});     // [12 - 1, 6 - 2, 12 - 3, 6 - 4]
  check_values(row / m, {12, 3, 4, 1.5});   // [12 / 1, 6 / 2, 12 / 3, 6 / 4]
  check_values(m - row, {-11, -4, -9, -2});
}

TEST_CASE("mul: [2,1] * [1,3] is an outer product") {
  const Tensor column = Tensor::from_vector({2, 1}, {1, 2});
  const Tensor row = Tensor::from_vector({1, 3}, {3, 4, 5});
  const Tensor y = column * row;
  CHECK(y.shape() == Shape{2, 3});
  check_values(y, {3, 4, 5, 6, 8, 10});
}

TEST_CASE("binary ops: a scalar tensor broadcasts against any shape") {
  const Tensor m = Tensor::from_vector({2, 2}, {1, 2, 3, 4});
  check_values(m * Tensor::scalar(2), {2, 4, 6, 8});
  check_values(Tensor::scalar(10) - m, {9, 8, 7, 6});
  CHECK((Tensor::scalar(1) + Tensor::scalar(2)).shape() == Shape{});
}

TEST_CASE("binary ops: the fast paths and the strided path give identical results") {
  const Tensor a = Tensor::from_vector({3, 4}, {1, -2, 3, 4, 5, 6, -7, 8, 9, 10, 11, -12});
  const Tensor b = Tensor::from_vector({3, 4}, {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37});
  const Tensor row = vec({0.5, -1, 2, 4});
  const Tensor a_strided = strided_copy(a);
  const Tensor b_strided = strided_copy(b);
  REQUIRE_FALSE(a_strided.is_contiguous());
  CHECK(allclose(div(a, b), div(a_strided, b_strided), 0, 0));
  CHECK(allclose(div(a, b), div(a, b_strided), 0, 0));
  CHECK(allclose(sub(a, row), sub(a_strided, row), 0, 0));
  CHECK(allclose(sub(row, a), sub(row, a_strided), 0, 0));
  CHECK(allclose(sub(row, a), sub(row.expand({3, 4}), a), 0, 0));  // stride-0 operand
}

TEST_CASE("binary ops: [B,T,D] op [D] and [B,T,D] op [T,1] broadcast in the middle too") {
  const Tensor x = Tensor::arange(12).view({2, 3, 2});  // x[b][t][d] = 6b + 2t + d
  const Tensor per_t = Tensor::from_vector({3, 1}, {100, 200, 300});
  // y[b][t][d] = 6b + 2t + d + 100(t + 1)
  check_values(x + per_t, {100, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311});
}

TEST_CASE("binary ops: error messages name the op and both shapes") {
  const Tensor a({2, 3}), b({4});
  CHECK_THROWS_WITH_AS(add(a, b), "add: [2,3] and [4]: sizes 3 and 4 cannot be broadcast", Error);
  CHECK_THROWS_WITH_AS(mul(b, a), "mul: [4] and [2,3]: sizes 4 and 3 cannot be broadcast", Error);
  CHECK_THROWS_WITH_AS(a / b, "div: [2,3] and [4]: sizes 3 and 4 cannot be broadcast", Error);
  CHECK_THROWS_WITH_AS(exp(Tensor()), "exp: tensor is undefined", Error);
  CHECK_THROWS_WITH_AS(sub(a, Tensor()), "sub: tensor is undefined", Error);
}

TEST_CASE("maximum: takes the larger element, with broadcasting") {
  check_values(maximum(vec({-1, 5, 2}), Tensor::scalar(0)), {0, 5, 2});
}

TEST_CASE("comparisons: 1 where true and 0 where false") {
  struct Row {
    std::string name;
    std::function<Tensor(const Tensor&, const Tensor&)> op;
    Values expected;
  };
  const Tensor a = vec({1, 2, 3}), b = Tensor::scalar(2);
  const Row rows[] = {
      {"eq", [](const Tensor& x, const Tensor& y) { return eq(x, y); }, {0, 1, 0}},
      {"ne", [](const Tensor& x, const Tensor& y) { return ne(x, y); }, {1, 0, 1}},
      {"lt", [](const Tensor& x, const Tensor& y) { return lt(x, y); }, {1, 0, 0}},
      {"le", [](const Tensor& x, const Tensor& y) { return le(x, y); }, {1, 1, 0}},
      {"gt", [](const Tensor& x, const Tensor& y) { return gt(x, y); }, {0, 0, 1}},
      {"ge", [](const Tensor& x, const Tensor& y) { return ge(x, y); }, {0, 1, 1}},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    CHECK(row.op(a, b).to_vector() == row.expected);
  }
}

// ---- selection ----------------------------------------------------------------------------------

TEST_CASE("where: condition, a and b broadcast together") {
  const Tensor condition = Tensor::from_vector({2, 1}, {1, 0});
  const Tensor a = vec({1, 2, 3});
  const Tensor b = Tensor::scalar(-1);
  const Tensor y = where(condition, a, b);
  CHECK(y.shape() == Shape{2, 3});
  CHECK(y.to_vector() == Values{1, 2, 3, -1, -1, -1});
  CHECK_THROWS_WITH_AS(where(vec({1, 0}), a, b),
                       "where: [2] and [3]: sizes 2 and 3 cannot be broadcast", Error);
}

TEST_CASE("masked_fill: writes value where the broadcast mask is non-zero") {
  const Tensor x = Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor mask = vec({0, 1, 0});
  const real inf = std::numeric_limits<real>::infinity();
  CHECK(masked_fill(x, mask, -inf).to_vector() == Values{1, -inf, 3, 4, -inf, 6});
  CHECK(x.to_vector() == Values{1, 2, 3, 4, 5, 6});  // x itself is unchanged
}

TEST_CASE("masked_fill: the mask may not grow x") {
  CHECK_THROWS_WITH_AS(masked_fill(vec({1, 2, 3}), Tensor({2, 3}), 0),
                       "masked_fill: mask [2,3] does not broadcast to x's shape [3]", Error);
  CHECK_THROWS_WITH_AS(masked_fill(vec({1, 2, 3}), Tensor({2}), 0),
                       "masked_fill: mask [2] does not broadcast to x's shape [3]", Error);
}

// ---- in place -----------------------------------------------------------------------------------

TEST_CASE("add_into: target += source * scale, same shape") {
  Tensor target = vec({1, 2, 3});
  add_into(target, vec({10, 20, 30}), 0.5);  // 1 + 5, 2 + 10, 3 + 15
  CHECK(target.to_vector() == Values{6, 12, 18});
  add_into(target, target);  // doubling: each element reads itself before it is written
  CHECK(target.to_vector() == Values{12, 24, 36});
}

TEST_CASE("add_into: broadcasts the source and writes through a non-contiguous target") {
  Tensor base = Tensor::zeros({2, 3});
  Tensor target = base.transpose(0, 1);  // [3,2] view of base
  add_into(target, vec({1, 2}), 2);      // every row of target += [2, 4]
  CHECK(base.to_vector() == Values{2, 2, 2, 4, 4, 4});
  Tensor column = base.narrow(1, 0, 1);  // [2,1]
  add_into(column, Tensor::scalar(1));
  CHECK(base.to_vector() == Values{3, 2, 2, 5, 4, 4});
}

TEST_CASE("add_into: an overlapping source is read before the target is written") {
  Tensor t = vec({1, 2, 3, 4});
  Tensor tail = t.narrow(0, 1, 3);
  add_into(tail, t.narrow(0, 0, 3));  // t[i] += old t[i-1]
  CHECK(t.to_vector() == Values{1, 3, 5, 7});
}

TEST_CASE("add_into: the source must broadcast to the target's shape") {
  Tensor target({2, 3});
  CHECK_THROWS_WITH_AS(add_into(target, Tensor({4})),
                       "add_into: source [4] does not broadcast to target [2,3]", Error);
  Tensor small({3});
  CHECK_THROWS_WITH_AS(add_into(small, Tensor({2, 3})),
                       "add_into: source [2,3] does not broadcast to target [3]", Error);
}

// ---- allclose -----------------------------------------------------------------------------------

TEST_CASE("allclose: |a - b| <= atol + rtol * |b| everywhere, with equal shapes") {
  const Tensor a = vec({1, 100});
  CHECK(allclose(a, vec({1, 100})));
  CHECK(allclose(a, vec({1.5, 100}), 0, 0.5));       // |1 - 1.5| = 0.5 <= 0.5
  CHECK_FALSE(allclose(a, vec({1.5, 100}), 0, 0.25));
  CHECK(allclose(a, vec({1, 110}), 0.1, 0));          // |100 - 110| = 10 <= 0.1 * 110
  CHECK_FALSE(allclose(a, vec({1, 120}), 0.1, 0));    // 20 > 12
  CHECK_FALSE(allclose(a, Tensor::from_vector({1, 2}, {1, 100})));  // shapes differ
  const real nan = std::numeric_limits<real>::quiet_NaN();
  CHECK_FALSE(allclose(vec({nan}), vec({nan})));
}
