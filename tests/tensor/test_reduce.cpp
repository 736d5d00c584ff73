// Reductions (tensor/reduce.h): known values, keepdim shapes, accuracy of the double
// accumulator, empty dimensions, and sum_to as the adjoint of broadcasting.
#include <doctest/doctest.h>

#include <vector>

#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/reduce.h"

using namespace attn;

namespace {
using Values = std::vector<real>;

// [[1, 2, 3], [4, 5, 6]]
Tensor one_to_six() { return Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6}); }
}  // namespace

// ---- sum and mean -------------------------------------------------------------------------------

TEST_CASE("sum: over everything gives a scalar") {
  const Tensor s = sum(one_to_six());
  CHECK(s.shape() == Shape{});
  CHECK(s.item() == 21);  // 1 + 2 + ... + 6
  CHECK(sum(one_to_six().transpose(0, 1)).item() == 21);
  CHECK(sum(Tensor::scalar(4)).item() == 4);
}

TEST_CASE("sum: over one dimension removes it, or keeps it as size 1") {
  const Tensor x = one_to_six();
  CHECK(sum(x, 0).to_vector() == Values{5, 7, 9});  // 1 + 4, 2 + 5, 3 + 6
  CHECK(sum(x, 1).to_vector() == Values{6, 15});    // 1 + 2 + 3, 4 + 5 + 6
  CHECK(sum(x, 0).shape() == Shape{3});
  CHECK(sum(x, -1, true).shape() == Shape{2, 1});
  CHECK(sum(x, 0, true).shape() == Shape{1, 3});
  CHECK(sum(x, -1, true).to_vector() == Values{6, 15});
}

TEST_CASE("sum: over the middle dimension of [2,3,4]") {
  const Tensor x = Tensor::arange(24).view({2, 3, 4});  // x[a][i][k] = 12a + 4i + k
  // sum_i (12a + 4i + k) = 36a + 4 * (0 + 1 + 2) + 3k = 36a + 12 + 3k
  CHECK(sum(x, 1).to_vector() == Values{12, 15, 18, 21, 48, 51, 54, 57});
  CHECK(sum(x, 1).shape() == Shape{2, 4});
}

TEST_CASE("sum: a non-contiguous input gives the same bits as its contiguous copy") {
  const Tensor x = Tensor::arange(24).view({2, 3, 4}) * static_cast<real>(0.1);
  const Tensor p = x.permute({2, 0, 1});  // [4,2,3], not contiguous
  for (int d = 0; d < 3; ++d) {
    CAPTURE(d);
    CHECK(sum(p, d).to_vector() == sum(p.contiguous(), d).to_vector());
  }
}

TEST_CASE("sum: accumulates in double, so a million float32 terms stay accurate") {
  // In float32, 0.1 is 0.100000001490116; a float accumulator would drift by ~1000 by 10^6
  // terms, while the exact sum is 100000.0015.
  const Tensor x = Tensor::full({1000000}, 0.1);
  CHECK(sum(x).item() == doctest::Approx(100000).epsilon(1e-6));
  const Tensor column = Tensor::full({100000, 2}, 0.1);
  const Values s = sum(column, 0).to_vector();  // 10^5 * 0.1 = 10^4 in each column
  CHECK(s[0] == doctest::Approx(10000).epsilon(1e-6));
  CHECK(s[1] == s[0]);
}

TEST_CASE("sum: over an empty dimension is 0") {
  CHECK(sum(Tensor({2, 0})).item() == 0);
  CHECK(sum(Tensor({2, 0}), 1).to_vector() == Values{0, 0});
  CHECK(sum(Tensor({0, 3}), 0).to_vector() == Values{0, 0, 0});
  CHECK(sum(Tensor({0, 3}), 1).shape() == Shape{0});
}

TEST_CASE("mean: over everything and over one dimension") {
  const Tensor x = one_to_six();
  CHECK(mean(x).item() == doctest::Approx(3.5));           // 21 / 6
  CHECK(mean(x, 1).to_vector() == Values{2, 5});            // 6 / 3, 15 / 3
  CHECK(mean(x, 0, true).to_vector() == Values{2.5, 3.5, 4.5});
  CHECK(mean(x, 0, true).shape() == Shape{1, 3});
}

TEST_CASE("mean: of nothing is an error") {
  CHECK_THROWS_WITH_AS(mean(Tensor({0, 3})), "mean: tensor [0,3] has no elements", Error);
  CHECK_THROWS_WITH_AS(mean(Tensor({2, 0}), 1), "mean: dimension 1 of [2,0] is empty", Error);
}

// ---- max and argmax -----------------------------------------------------------------------------

TEST_CASE("max and argmax: the largest value and its first position on ties") {
  const Tensor x = Tensor::from_vector({2, 3}, {1, 3, 3, 5, 2, 5});
  CHECK(max(x, 1).to_vector() == Values{3, 5});
  CHECK(argmax(x, 1).to_vector() == Values{1, 0});  // 3 first at 1, 5 first at 0
  CHECK(max(x, 0).to_vector() == Values{5, 3, 5});
  CHECK(argmax(x, 0).to_vector() == Values{1, 0, 1});  // column 1: 3 > 2, so row 0
  CHECK(max(x, -1, true).shape() == Shape{2, 1});
  CHECK(argmax(x, 0, true).shape() == Shape{1, 3});
}

TEST_CASE("max: works when every value is negative") {
  const Tensor x = Tensor::from_vector({3}, {-3, -1, -2});
  CHECK(max(x, 0).item() == -1);
  CHECK(argmax(x, 0).item() == 1);
}

TEST_CASE("argmax: reads a transposed view along the right dimension") {
  const Tensor x = Tensor::from_vector({2, 3}, {9, 0, 0, 0, 0, 9}).transpose(0, 1);  // [3,2]
  CHECK(argmax(x, 0).to_vector() == Values{0, 2});  // x's columns are the rows of the base
}

TEST_CASE("max and argmax: an empty dimension is an error") {
  CHECK_THROWS_WITH_AS(max(Tensor({2, 0}), 1), "max: dimension 1 of [2,0] is empty", Error);
  CHECK_THROWS_WITH_AS(argmax(Tensor({0}), 0), "argmax: dimension 0 of [0] is empty", Error);
}

TEST_CASE("reductions: a dimension out of range is an error naming the op") {
  const Tensor x = one_to_six();
  CHECK_THROWS_WITH_AS(sum(x, 2), "sum: dimension 2 is out of range for a tensor with 2 dimensions",
                       Error);
  CHECK_THROWS_WITH_AS(max(x, -3),
                       "max: dimension -3 is out of range for a tensor with 2 dimensions", Error);
  CHECK_THROWS_WITH_AS(sum(Tensor()), "sum: tensor is undefined", Error);
}

// ---- sum_to -------------------------------------------------------------------------------------

TEST_CASE("sum_to: sums leading dimensions and stretched size-1 dimensions") {
  const Tensor x = one_to_six();
  CHECK(sum_to(x, {3}).to_vector() == Values{5, 7, 9});   // the bias gradient of [2,3] + [3]
  CHECK(sum_to(x, {1, 3}).to_vector() == Values{5, 7, 9});
  CHECK(sum_to(x, {2, 1}).to_vector() == Values{6, 15});
  CHECK(sum_to(x, {2, 1}).shape() == Shape{2, 1});
  CHECK(sum_to(x, {1, 1}).to_vector() == Values{21});
  CHECK(sum_to(x, {}).shape() == Shape{});
  CHECK(sum_to(x, {}).item() == 21);
}

TEST_CASE("sum_to: [2,3,4] down to [3,1] sums dimensions 0 and 2") {
  const Tensor x = Tensor::arange(24).view({2, 3, 4});  // x[a][i][k] = 12a + 4i + k
  // sum over a and k of 12a + 4i + k = 4 * 12 + 8 * 4i + 2 * 6 = 60 + 32i
  const Tensor y = sum_to(x, {3, 1});
  CHECK(y.shape() == Shape{3, 1});
  CHECK(y.to_vector() == Values{60, 92, 124});
}

TEST_CASE("sum_to: to the same shape returns x itself, without a copy") {
  const Tensor x = one_to_six();
  const Tensor y = sum_to(x, {2, 3});
  CHECK(y.shares_storage_with(x));
  CHECK(y.to_vector() == x.to_vector());
  CHECK(sum_to(x.transpose(0, 1), {3, 2}).to_vector() == Values{1, 4, 2, 5, 3, 6});
}

TEST_CASE("sum_to: is the adjoint of expand, <expand(y), g> = <y, sum_to(g)>") {
  const Tensor y = Tensor::from_vector({3, 1}, {0.5, -1, 2});
  const Tensor g = Tensor::arange(24).view({2, 3, 4}) * static_cast<real>(0.25) - 1;
  const real left = sum(y.expand({2, 3, 4}) * g).item();
  const real right = sum(y * sum_to(g, {3, 1})).item();
  CHECK(left == doctest::Approx(right).epsilon(1e-6));
}

TEST_CASE("sum_to: the target shape must broadcast to x's shape") {
  CHECK_THROWS_WITH_AS(sum_to(one_to_six(), {4}),
                       "sum_to: cannot sum [2,3] down to [4], which does not broadcast to it",
                       Error);
  CHECK_THROWS_WITH_AS(sum_to(Tensor({3}), {2, 3}),
                       "sum_to: cannot sum [3] down to [2,3], which does not broadcast to it",
                       Error);
}
