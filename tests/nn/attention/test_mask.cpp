// Attention masks (nn/attention/mask.h): 1 = may attend, 0 = blocked, in the shapes the header
// pictures.
#include <doctest/doctest.h>

#include <vector>

#include "nn/attention/mask.h"
#include "tensor/error.h"

using namespace attn;

namespace {
using Values = std::vector<real>;
constexpr real pad = 0;
}  // namespace

TEST_CASE("causal_mask: 4 positions give the lower triangle of the header's picture") {
  const Tensor mask = causal_mask(4);
  CHECK(mask.shape() == Shape{1, 1, 4, 4});
  //                      s: 0  1  2  3
  CHECK(mask.to_vector() == Values{1, 0, 0, 0,    // t = 0 sees only itself
                                   1, 1, 0, 0,    // t = 1
                                   1, 1, 1, 0,    // t = 2
                                   1, 1, 1, 1});  // t = 3 sees everything
}

TEST_CASE("causal_mask: one position sees itself, and a negative length is rejected") {
  CHECK(causal_mask(1).to_vector() == Values{1});
  CHECK(causal_mask(0).shape() == Shape{1, 1, 0, 0});
  CHECK_THROWS_WITH_AS(causal_mask(-1), "causal_mask: length must be >= 0, got -1", Error);
}

TEST_CASE("padding_mask: blocks the pad positions of each row, as the header's picture") {
  const Tensor tokens = Tensor::from_vector({2, 4}, {5, 7, 9, pad,  //
                                                     4, 6, pad, pad});
  const Tensor mask = padding_mask(tokens, 0);
  CHECK(mask.shape() == Shape{2, 1, 1, 4});
  CHECK(mask.to_vector() == Values{1, 1, 1, 0,  //
                                   1, 1, 0, 0});
}

TEST_CASE("padding_mask: tokens must be [B, S]") {
  CHECK_THROWS_WITH_AS(padding_mask(Tensor::zeros({4}), 0),
                       "padding_mask: tokens must be [B, S], got [4]", Error);
}

TEST_CASE("combine_masks: padding and causal broadcast to [B, 1, T, T], allowed only by both") {
  const Tensor target = Tensor::from_vector({2, 3}, {5, 7, 9,  //
                                                     4, pad, pad});
  const Tensor mask = combine_masks(padding_mask(target, 0), causal_mask(3));
  CHECK(mask.shape() == Shape{2, 1, 3, 3});
  CHECK(mask.to_vector() == Values{1, 0, 0,  // batch 0: no padding, just the triangle
                                   1, 1, 0,  //
                                   1, 1, 1,  //
                                   1, 0, 0,  // batch 1: columns 1 and 2 are padding
                                   1, 0, 0,  //
                                   1, 0, 0});
}

TEST_CASE("combine_masks: is a logical and, whatever nonzero value means allowed") {
  const Tensor a = Tensor::from_vector({4}, {0, 2, 0, 2});
  const Tensor b = Tensor::from_vector({4}, {0, 0, 3, 3});
  CHECK(combine_masks(a, b).to_vector() == Values{0, 0, 0, 1});
}
