// Shapes, strides and broadcasting (tensor/shape.h): the arithmetic every other op relies on.
#include <doctest/doctest.h>

#include <string>

#include "tensor/error.h"
#include "tensor/shape.h"

using namespace attn;

TEST_CASE("to_string: writes a shape as [2,3,4], a scalar shape as []") {
  CHECK(to_string({2, 3, 4}) == "[2,3,4]");
  CHECK(to_string({7}) == "[7]");
  CHECK(to_string({}) == "[]");
}

TEST_CASE("numel: is the product of the sizes, 1 for a scalar and 0 with any size 0") {
  CHECK(numel({2, 3, 4}) == 24);  // 2 * 3 * 4
  CHECK(numel({}) == 1);
  CHECK(numel({3, 0, 5}) == 0);
}

TEST_CASE("contiguous_strides: row-major, the last dimension has stride 1") {
  CHECK(contiguous_strides({2, 3, 4}) == Shape{12, 4, 1});  // 12 = 3 * 4, 4 = 4 * 1
  CHECK(contiguous_strides({5}) == Shape{1});
  CHECK(contiguous_strides({}) == Shape{});
  CHECK(contiguous_strides({2, 1, 3}) == Shape{3, 3, 1});
}

TEST_CASE("broadcast_shapes: aligns at the right and stretches sizes of 1") {
  struct Row {
    Shape a, b, expected;
  };
  const Row rows[] = {
      {{2, 3}, {2, 3}, {2, 3}},        // equal shapes
      {{2, 3}, {3}, {2, 3}},           // a row added to every row
      {{4, 1, 3}, {2, 1}, {4, 2, 3}},  // the example in shape.h
      {{1}, {5, 4}, {5, 4}},           // a one-element tensor against anything
      {{}, {2, 2}, {2, 2}},            // a scalar against anything
      {{3, 1}, {1, 4}, {3, 4}},        // an outer product
      {{0, 3}, {1, 3}, {0, 3}},        // 1 stretches to 0 too
  };
  for (const Row& row : rows) {
    CAPTURE(to_string(row.a));
    CAPTURE(to_string(row.b));
    CHECK(broadcast_shapes("add", row.a, row.b) == row.expected);
    CHECK(broadcast_shapes("add", row.b, row.a) == row.expected);  // symmetric
  }
}

TEST_CASE("broadcast_shapes: names the op, both shapes and the clashing sizes") {
  CHECK_THROWS_WITH_AS(broadcast_shapes("add", {2, 3}, {4}),
                       "add: [2,3] and [4]: sizes 3 and 4 cannot be broadcast", Error);
  CHECK_THROWS_WITH_AS(broadcast_shapes("mul", {2, 1}, {3, 5}),
                       "mul: [2,1] and [3,5]: sizes 2 and 3 cannot be broadcast", Error);
}

TEST_CASE("normalize_dim: counts negative dimensions from the end") {
  CHECK(normalize_dim("sum", 0, 3) == 0);
  CHECK(normalize_dim("sum", 2, 3) == 2);
  CHECK(normalize_dim("sum", -1, 3) == 2);
  CHECK(normalize_dim("sum", -3, 3) == 0);
}

TEST_CASE("normalize_dim: rejects dimensions outside -ndim..ndim-1, naming the op") {
  CHECK_THROWS_WITH_AS(normalize_dim("sum", 3, 3),
                       "sum: dimension 3 is out of range for a tensor with 3 dimensions", Error);
  CHECK_THROWS_WITH_AS(normalize_dim("max", -4, 3),
                       "max: dimension -4 is out of range for a tensor with 3 dimensions", Error);
  CHECK_THROWS_AS(normalize_dim("sum", 0, 0), Error);  // a scalar has no dimension 0
}

TEST_CASE("broadcasts_to: a shape broadcasts to another only without changing it") {
  CHECK(broadcasts_to({2, 1, 1, 5}, {2, 4, 3, 5}));  // a padding mask to the scores
  CHECK(broadcasts_to({1, 1, 3, 3}, {2, 4, 3, 3}));  // a causal mask
  CHECK(broadcasts_to({5}, {2, 5}));                 // fewer dimensions: aligned at the right
  CHECK(broadcasts_to({}, {2, 5}));                  // a scalar broadcasts to anything
  CHECK_FALSE(broadcasts_to({2, 5}, {5}));           // more dimensions than the target
  CHECK_FALSE(broadcasts_to({3, 5}, {2, 5}));        // a size that is neither equal nor 1
  CHECK_FALSE(broadcasts_to({2, 5}, {2, 1}));        // broadcasting both ways is not "to"
}
