// Tests for tensor/join.h and tensor/index.h: known values, adjointness, index validation.
#include <doctest/doctest.h>

#include <limits>
#include <vector>

#include "tensor/error.h"
#include "tensor/index.h"
#include "tensor/join.h"

using namespace attn;

namespace {

Tensor values(const Shape& shape, const std::vector<real>& v) {
  return Tensor::from_vector(shape, v);
}

// <a, b> = sum_i a_i b_i, in double.
double dot(const Tensor& a, const Tensor& b) {
  const std::vector<real> x = a.to_vector(), y = b.to_vector();
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += double(x[i]) * y[i];
  return sum;
}

// 1, 2, 3, ... in `shape`.
Tensor counting(const Shape& shape) {
  std::vector<real> v(numel(shape));
  for (size_t i = 0; i < v.size(); ++i) v[i] = real(i + 1);
  return values(shape, v);
}

}  // namespace

// ---- concat and stack -------------------------------------------------------------------------

TEST_CASE("concat: joins along an existing dimension") {
  const Tensor a = values({2, 2}, {1, 2, 3, 4});
  const Tensor b = values({1, 2}, {5, 6});
  const Tensor rows = concat({a, b}, 0);  // [[1,2],[3,4]] over [[5,6]]
  CHECK(rows.shape() == Shape{3, 2});
  CHECK(rows.to_vector() == std::vector<real>{1, 2, 3, 4, 5, 6});
  const Tensor c = values({2, 1}, {7, 8});
  const Tensor cols = concat({a, c}, -1);  // [[1,2,7],[3,4,8]]
  CHECK(cols.shape() == Shape{2, 3});
  CHECK(cols.to_vector() == std::vector<real>{1, 2, 7, 3, 4, 8});
}

TEST_CASE("concat: reads non-contiguous pieces and accepts empty ones") {
  const Tensor a = values({2, 2}, {1, 2, 3, 4}).transpose(0, 1);  // [[1,3],[2,4]]
  const Tensor out = concat({a, Tensor({0, 2}), values({1, 2}, {5, 6})}, 0);
  CHECK(out.to_vector() == std::vector<real>{1, 3, 2, 4, 5, 6});
}

TEST_CASE("stack: joins equal shapes along a new dimension anywhere from 0 to ndim") {
  const Tensor a = values({2}, {1, 2}), b = values({2}, {3, 4});
  const Tensor first = stack({a, b}, 0);  // [[1,2],[3,4]]
  CHECK(first.shape() == Shape{2, 2});
  CHECK(first.to_vector() == std::vector<real>{1, 2, 3, 4});
  const Tensor last = stack({a, b}, 1);  // [[1,3],[2,4]]
  CHECK(last.shape() == Shape{2, 2});
  CHECK(last.to_vector() == std::vector<real>{1, 3, 2, 4});
  CHECK(stack({a, b}, -1).to_vector() == last.to_vector());
  CHECK(stack({counting({2, 3}), counting({2, 3})}, 1).shape() == Shape{2, 2, 3});
}

TEST_CASE("concat: shapes that differ outside the dimension are an error naming both") {
  CHECK_THROWS_WITH_AS(concat({Tensor({2, 3}), Tensor({2, 4})}, 0),
                       "concat: [2,3] and [2,4] differ outside dimension 0", Error);
  CHECK_THROWS_WITH_AS(concat({Tensor({2, 3}), Tensor({6})}, 1),
                       "concat: [2,3] and [6] differ outside dimension 1", Error);
  CHECK_THROWS_WITH_AS(concat({Tensor({2, 3})}, 2),
                       "concat: dimension 2 is out of range for a tensor with 2 dimensions", Error);
}

TEST_CASE("concat and stack: an empty list is an error") {
  CHECK_THROWS_WITH_AS(concat({}, 0), "concat: needs at least one tensor", Error);
  CHECK_THROWS_WITH_AS(stack({}, 0), "stack: needs at least one tensor", Error);
  CHECK_THROWS_WITH_AS(concat({Tensor({1}), Tensor()}, 0), "concat: tensor 1 is undefined", Error);
}

TEST_CASE("stack: unequal shapes or a dimension beyond ndim are errors") {
  CHECK_THROWS_WITH_AS(stack({Tensor({2, 3}), Tensor({3, 2})}, 0),
                       "stack: [2,3] and [3,2] differ; stack needs equal shapes", Error);
  CHECK_THROWS_WITH_AS(stack({Tensor({2, 3})}, 3),
                       "stack: dimension 3 is out of range for a tensor with 3 dimensions", Error);
}

// ---- index_select and index_add ---------------------------------------------------------------

TEST_CASE("index_select: looks up embedding rows for a [B,T] tensor of token ids") {
  const Tensor table = values({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31});  // [V=4, D=2]
  const Tensor tokens = values({2, 2}, {3, 0, 1, 3});                   // [B=2, T=2]
  const Tensor out = index_select(table, 0, tokens);                    // [2, 2, 2]
  CHECK(out.shape() == Shape{2, 2, 2});
  CHECK(out.to_vector() == std::vector<real>{30, 31, 0, 1, 10, 11, 30, 31});
}

TEST_CASE("index_select: selects along an inner dimension, in any order, with repeats") {
  const Tensor x = values({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor out = index_select(x, -1, values({3}, {2, 0, 2}));  // columns 2, 0, 2
  CHECK(out.shape() == Shape{2, 3});
  CHECK(out.to_vector() == std::vector<real>{3, 1, 3, 6, 4, 6});
  // A scalar index removes the dimension: x[:, 1]
  CHECK(index_select(x, 1, Tensor::scalar(1)).to_vector() == std::vector<real>{2, 5});
}

TEST_CASE("index_add: adds rows into the selected places, summing repeats") {
  // index_add([3], 0, [0, 0, 2], [1, 2, 3]) = [1 + 2, 0, 3]
  const Tensor out = index_add({3}, 0, values({3}, {0, 0, 2}), values({3}, {1, 2, 3}));
  CHECK(out.to_vector() == std::vector<real>{3, 0, 3});
}

TEST_CASE("index_add: is the adjoint of index_select") {
  // <index_select(x, d, idx), g> = <x, index_add(shape(x), d, idx, g)> for every x and g
  const Tensor x = counting({3, 4, 2});
  const Tensor idx = values({2, 3}, {3, 0, 3, 1, 1, 2});
  const Tensor y = index_select(x, 1, idx);  // [3, 2, 3, 2]
  const Tensor g = counting(y.shape());
  CHECK(dot(y, g) == dot(x, index_add(x.shape(), 1, idx, g)));
}

// ---- gather and scatter_add -------------------------------------------------------------------

TEST_CASE("gather: picks one element per position along a dimension, as torch.gather") {
  // torch.gather([[1,2],[3,4]], 1, [[0,0],[1,0]]) = [[1,1],[4,3]]
  const Tensor x = values({2, 2}, {1, 2, 3, 4});
  CHECK(gather(x, 1, values({2, 2}, {0, 0, 1, 0})).to_vector() == std::vector<real>{1, 1, 4, 3});
  // along dim 0: out[i][j] = x[idx[i][j]][j]; [[1,0]] -> [[x[1][0], x[0][1]]] = [[3, 2]]
  CHECK(gather(x, 0, values({1, 2}, {1, 0})).to_vector() == std::vector<real>{3, 2});
}

TEST_CASE("scatter_add: adds into the gathered places, as torch.scatter_add") {
  // scatter_add(zeros[2,2], 1, [[0,0],[1,0]], [[1,2],[3,4]]) = [[1+2, 0], [4, 3]]
  const Tensor out =
      scatter_add({2, 2}, 1, values({2, 2}, {0, 0, 1, 0}), values({2, 2}, {1, 2, 3, 4}));
  CHECK(out.to_vector() == std::vector<real>{3, 0, 4, 3});
}

TEST_CASE("scatter_add: is the adjoint of gather") {
  const Tensor x = counting({2, 3, 2});
  const Tensor idx = values({2, 4, 2}, {0, 2, 1, 1, 2, 0, 0, 0, 1, 2, 2, 2, 0, 1, 1, 0});
  const Tensor y = gather(x, 1, idx);  // [2, 4, 2]
  const Tensor g = counting(y.shape());
  CHECK(dot(y, g) == dot(x, scatter_add(x.shape(), 1, idx, g)));
}

// ---- index validation -------------------------------------------------------------------------

TEST_CASE("index_select: an index out of range is an error naming the value and the size") {
  const Tensor x({4, 2});
  CHECK_THROWS_WITH_AS(index_select(x, 0, values({2}, {1, 4})),
                       "index_select: index 4 is out of range for dimension 0 of size 4", Error);
  CHECK_THROWS_WITH_AS(index_select(x, 0, values({1}, {-1})),
                       "index_select: index -1 is out of range for dimension 0 of size 4", Error);
  CHECK_THROWS_WITH_AS(index_select(x, 1, values({1}, {std::numeric_limits<real>::infinity()})),
                       "index_select: index inf is out of range for dimension 1 of size 2", Error);
}

TEST_CASE("index_select: a fractional or NaN index is an error, never a truncation") {
  const Tensor x({4, 2});
  CHECK_THROWS_WITH_AS(index_select(x, 0, values({1}, {2.5})),
                       "index_select: index 2.5 is not a whole number (dimension 0 has size 4)",
                       Error);
  CHECK_THROWS_WITH_AS(index_select(x, 0, values({1}, {std::numeric_limits<real>::quiet_NaN()})),
                       "index_select: index nan is not a whole number (dimension 0 has size 4)",
                       Error);
}

TEST_CASE("index_add, gather and scatter_add: every index is validated") {
  CHECK_THROWS_WITH_AS(index_add({3}, 0, values({1}, {3}), values({1}, {1})),
                       "index_add: index 3 is out of range for dimension 0 of size 3", Error);
  CHECK_THROWS_WITH_AS(gather(Tensor({2, 2}), 1, values({2, 1}, {0, 2})),
                       "gather: index 2 is out of range for dimension 1 of size 2", Error);
  CHECK_THROWS_WITH_AS(scatter_add({2, 2}, 0, values({1, 2}, {0, 0.5}), Tensor({1, 2})),
                       "scatter_add: index 0.5 is not a whole number (dimension 0 has size 2)",
                       Error);
}

TEST_CASE("index_add and scatter_add: a source of the wrong shape is an error naming shapes") {
  CHECK_THROWS_WITH_AS(index_add({3, 2}, 0, values({2}, {0, 1}), Tensor({3, 2})),
                       "index_add: source [3,2] must be [2,2]", Error);
  CHECK_THROWS_WITH_AS(scatter_add({3, 2}, 1, Tensor({3, 1}), Tensor({3, 2})),
                       "scatter_add: source [3,2] must be [3,1]", Error);
}

TEST_CASE("gather: indices must match x outside the gathered dimension") {
  CHECK_THROWS_WITH_AS(gather(Tensor({3, 4}), 1, Tensor({3})),
                       "gather: indices [3] must have as many dimensions as x [3,4]", Error);
  CHECK_THROWS_WITH_AS(gather(Tensor({3, 4}), 1, Tensor({2, 5})),
                       "gather: indices [2,5] must match x [3,4] in every dimension but 1", Error);
  CHECK_THROWS_WITH_AS(scatter_add({3, 4}, 0, Tensor({3, 5}), Tensor({3, 5})),
                       "scatter_add: indices [3,5] must match shape [3,4] in every dimension but 0",
                       Error);
}
