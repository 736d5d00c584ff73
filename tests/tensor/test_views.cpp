// Tensor creation, views and copies (tensor/tensor.h): views share storage and never copy.
#include <doctest/doctest.h>

#include <vector>

#include "tensor/error.h"
#include "tensor/tensor.h"

using namespace attn;

namespace {
using Values = std::vector<real>;

// [[0, 1, 2], [3, 4, 5]]
Tensor two_by_three() { return Tensor::from_vector({2, 3}, {0, 1, 2, 3, 4, 5}); }
}  // namespace

// ---- creation -----------------------------------------------------------------------------------

TEST_CASE("Tensor: creation functions give the shape and values they name") {
  CHECK(Tensor::zeros({2, 2}).to_vector() == Values{0, 0, 0, 0});
  CHECK(Tensor::ones({3}).to_vector() == Values{1, 1, 1});
  CHECK(Tensor::full({2}, 2.5).to_vector() == Values{2.5, 2.5});
  CHECK(Tensor::arange(4).to_vector() == Values{0, 1, 2, 3});
  const Tensor s = Tensor::scalar(3.5);
  CHECK(s.shape() == Shape{});
  CHECK(s.numel() == 1);
  CHECK(s.item() == 3.5);
  const Tensor t = two_by_three();
  CHECK(t.shape() == Shape{2, 3});
  CHECK(t.strides() == Shape{3, 1});
  CHECK(t.is_contiguous());
  CHECK(t.size(-1) == 3);
}

TEST_CASE("Tensor: a default tensor is undefined and an empty one is defined") {
  CHECK_FALSE(Tensor().defined());
  const Tensor empty({0, 3});
  CHECK(empty.defined());
  CHECK(empty.numel() == 0);
  CHECK(empty.to_vector().empty());
}

TEST_CASE("Tensor: from_vector and negative sizes are checked") {
  CHECK_THROWS_WITH_AS(Tensor::from_vector({2, 2}, {1, 2, 3}),
                       "from_vector: 3 values do not fill shape [2,2]", Error);
  CHECK_THROWS_WITH_AS(Tensor({2, -1}), "Tensor: negative size in shape [2,-1]", Error);
}

TEST_CASE("at: reads and writes one element, with bounds and rank checked") {
  Tensor t = two_by_three();
  CHECK(t.at({1, 2}) == 5);  // row 1 starts at 3, plus 2
  t.at({0, 1}) = 10;
  CHECK(t.to_vector() == Values{0, 10, 2, 3, 4, 5});
  CHECK_THROWS_WITH_AS(t.at({2, 0}),
                       "at: index 2 is out of range for dimension 0 of shape [2,3]", Error);
  CHECK_THROWS_WITH_AS(t.at({0, -1}),
                       "at: index -1 is out of range for dimension 1 of shape [2,3]", Error);
  CHECK_THROWS_WITH_AS(t.at({1}), "at: index has 1 entries for shape [2,3]", Error);
}

TEST_CASE("item: needs exactly one element") {
  CHECK(Tensor::full({1, 1}, 7).item() == 7);
  CHECK_THROWS_WITH_AS(two_by_three().item(),
                       "item: needs a tensor with exactly one element, got [2,3]", Error);
  CHECK_THROWS_AS(Tensor().item(), Error);
}

// ---- view and reshape ---------------------------------------------------------------------------

TEST_CASE("view: same storage, new shape, with one size inferred from -1") {
  const Tensor t = two_by_three();
  const Tensor v = t.view({3, -1});  // 6 elements / 3 = 2
  CHECK(v.shape() == Shape{3, 2});
  CHECK(v.shares_storage_with(t));
  CHECK(v.to_vector() == t.to_vector());
  CHECK(t.view({-1}).shape() == Shape{6});
  CHECK(Tensor({0, 4}).view({-1, 2}).shape() == Shape{0, 2});  // 0 elements / 2 = 0 rows
}

TEST_CASE("view: wrong counts, two -1s and non-contiguous inputs are errors") {
  const Tensor t = two_by_three();
  CHECK_THROWS_WITH_AS(t.view({4, 2}), "view: [2,3] has 6 elements, [4,2] needs 8", Error);
  CHECK_THROWS_WITH_AS(t.view({-1, -1}), "view: only one size may be -1 in [-1,-1]", Error);
  CHECK_THROWS_WITH_AS(t.view({4, -1}), "view: cannot view [2,3] as [4,-1]", Error);
  CHECK_THROWS_WITH_AS(t.transpose(0, 1).view({6}),
                       "view: [3,2] is not contiguous; call reshape() or contiguous() first",
                       Error);
}

TEST_CASE("reshape: views a contiguous tensor and copies a non-contiguous one") {
  const Tensor t = two_by_three();
  CHECK(t.reshape({3, 2}).shares_storage_with(t));
  const Tensor r = t.transpose(0, 1).reshape({6});
  CHECK_FALSE(r.shares_storage_with(t));
  CHECK(r.to_vector() == Values{0, 3, 1, 4, 2, 5});  // the transpose, read row by row
}

// ---- transpose and permute ----------------------------------------------------------------------

TEST_CASE("transpose: swaps sizes and strides without copying") {
  const Tensor t = two_by_three();
  const Tensor tt = t.transpose(0, 1);
  CHECK(tt.shape() == Shape{3, 2});
  CHECK(tt.strides() == Shape{1, 3});  // the example in tensor.h
  CHECK(tt.shares_storage_with(t));
  CHECK_FALSE(tt.is_contiguous());
  CHECK(tt.at({2, 1}) == 5);  // tt[2][1] = t[1][2]
  CHECK(tt.to_vector() == Values{0, 3, 1, 4, 2, 5});
}

TEST_CASE("transpose: a write through the view is seen by the base") {
  Tensor t = two_by_three();
  Tensor tt = t.transpose(-1, -2);
  tt.at({2, 0}) = 42;
  CHECK(t.at({0, 2}) == 42);
}

TEST_CASE("permute: reorders dimensions, and repeats or wrong counts are errors") {
  const Tensor t = Tensor::arange(24).view({2, 3, 4});
  const Tensor p = t.permute({2, 0, 1});
  CHECK(p.shape() == Shape{4, 2, 3});
  CHECK(p.strides() == Shape{1, 12, 4});
  CHECK(p.shares_storage_with(t));
  CHECK(p.at({3, 1, 2}) == t.at({1, 2, 3}));  // 1*12 + 2*4 + 3 = 23
  CHECK_THROWS_WITH_AS(t.permute({0, 0, 1}), "permute: dimension 0 is repeated", Error);
  CHECK_THROWS_WITH_AS(t.permute({0, 1}), "permute: 2 dimensions given for shape [2,3,4]", Error);
}

// ---- narrow and slice ---------------------------------------------------------------------------

TEST_CASE("narrow: a window along one dimension, sharing storage") {
  Tensor t = two_by_three();
  Tensor n = t.narrow(1, 1, 2);  // columns 1 and 2
  CHECK(n.shape() == Shape{2, 2});
  CHECK(n.offset() == 1);
  CHECK(n.to_vector() == Values{1, 2, 4, 5});
  n.fill(9);
  CHECK(t.to_vector() == Values{0, 9, 9, 3, 9, 9});
  CHECK_THROWS_WITH_AS(t.narrow(1, 2, 2), "narrow: range [2, 4) does not fit dimension 1 of [2,3]",
                       Error);
}

TEST_CASE("slice: start, end and step like Python's t[start:end:step]") {
  const Tensor t = Tensor::arange(10);
  const Tensor s = t.slice(0, 1, 8, 3);  // 1, 4, 7
  CHECK(s.shape() == Shape{3});
  CHECK(s.strides() == Shape{3});
  CHECK(s.to_vector() == Values{1, 4, 7});
  CHECK(t.slice(0, 2, 2).numel() == 0);
  CHECK(t.slice(0, 0, 10, 4).to_vector() == Values{0, 4, 8});  // ceil(10 / 4) = 3 elements
  CHECK_THROWS_WITH_AS(t.slice(0, 0, 5, 0), "slice: step must be positive, got 0", Error);
  CHECK_THROWS_WITH_AS(t.slice(0, 3, 11), "slice: range [3, 11) does not fit dimension 0 of [10]",
                       Error);
}

// ---- squeeze, unsqueeze, expand -----------------------------------------------------------------

TEST_CASE("squeeze and unsqueeze: remove and insert a size-1 dimension") {
  const Tensor t = two_by_three();
  const Tensor u = t.unsqueeze(1);
  CHECK(u.shape() == Shape{2, 1, 3});
  CHECK(u.is_contiguous());
  CHECK(t.unsqueeze(-1).shape() == Shape{2, 3, 1});
  CHECK(u.squeeze(1).shape() == Shape{2, 3});
  CHECK(u.squeeze(1).shares_storage_with(t));
  CHECK_THROWS_WITH_AS(t.squeeze(0), "squeeze: dimension 0 of [2,3] is not 1", Error);
}

TEST_CASE("expand: stretches size-1 and new leading dimensions with stride 0") {
  const Tensor row = Tensor::from_vector({3}, {1, 2, 3});
  const Tensor e = row.expand({2, 3});
  CHECK(e.shape() == Shape{2, 3});
  CHECK(e.strides() == Shape{0, 1});
  CHECK(e.shares_storage_with(row));
  CHECK(e.to_vector() == Values{1, 2, 3, 1, 2, 3});
  const Tensor column = Tensor::from_vector({2, 1}, {5, 6}).expand({2, 3});
  CHECK(column.strides() == Shape{1, 0});
  CHECK(column.to_vector() == Values{5, 5, 5, 6, 6, 6});
  CHECK_THROWS_WITH_AS(row.expand({2, 4}), "expand: cannot expand [3] to [2,4]", Error);
  CHECK_THROWS_WITH_AS(two_by_three().expand({3}),
                       "expand: cannot expand [2,3] to fewer dimensions [3]", Error);
}

// ---- copies -------------------------------------------------------------------------------------

TEST_CASE("contiguous: returns the tensor itself when already contiguous, else a copy") {
  const Tensor t = two_by_three();
  CHECK(t.contiguous().shares_storage_with(t));
  const Tensor c = t.transpose(0, 1).contiguous();
  CHECK_FALSE(c.shares_storage_with(t));
  CHECK(c.is_contiguous());
  CHECK(c.strides() == Shape{2, 1});
  CHECK(c.to_vector() == Values{0, 3, 1, 4, 2, 5});
}

TEST_CASE("clone: always a new contiguous copy") {
  Tensor t = two_by_three();
  Tensor c = t.clone();
  CHECK_FALSE(c.shares_storage_with(t));
  c.at({0, 0}) = 100;
  CHECK(t.at({0, 0}) == 0);
  CHECK(t.narrow(1, 1, 1).clone().to_vector() == Values{1, 4});
}

TEST_CASE("clone: copies transposed, sliced and broadcast views in row-major order") {
  const Tensor t = Tensor::arange(24).view({2, 3, 4});
  CHECK(t.permute({2, 0, 1}).clone().to_vector() ==
        t.permute({2, 0, 1}).to_vector());  // to_vector walks element by element
  CHECK(t.slice(2, 1, 4, 2).clone().to_vector() == Values{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23});
  CHECK(Tensor::from_vector({3, 1}, {1, 2, 3}).expand({3, 2}).clone().to_vector() ==
        Values{1, 1, 2, 2, 3, 3});
  CHECK(Tensor::empty({0, 3}).clone().numel() == 0);
}

TEST_CASE("copy_from: writes a broadcast source through a view into the base") {
  Tensor t = two_by_three();
  Tensor column = t.narrow(1, 2, 1);  // [2,1] view of column 2
  column.copy_from(Tensor::from_vector({1}, {7}));
  CHECK(t.to_vector() == Values{0, 1, 7, 3, 4, 7});
  Tensor tt = t.transpose(0, 1);  // [3,2]
  tt.copy_from(Tensor::from_vector({2}, {-1, -2}));  // every row of tt = [-1, -2]
  CHECK(t.to_vector() == Values{-1, -1, -1, -2, -2, -2});
}

TEST_CASE("copy_from: an overlapping source is read before it is overwritten") {
  Tensor t = Tensor::arange(5);
  Tensor head = t.narrow(0, 1, 4);
  head.copy_from(t.narrow(0, 0, 4));  // shift right by one
  CHECK(t.to_vector() == Values{0, 0, 1, 2, 3});
}

TEST_CASE("fill: sets every element of a view and nothing else") {
  Tensor t = two_by_three();
  t.slice(1, 0, 3, 2).fill(-1);  // columns 0 and 2
  CHECK(t.to_vector() == Values{-1, 1, -1, -1, 4, -1});
}

TEST_CASE("to_vector: lists a transposed 3-d view in its own row-major order") {
  const Tensor t = Tensor::arange(8).view({2, 2, 2});
  // p[i][j][k] = t[k][j][i] = 4k + 2j + i
  CHECK(t.permute({2, 1, 0}).to_vector() == Values{0, 4, 2, 6, 1, 5, 3, 7});
}
