// Bad input through the autograd ops, and misbehaving ops through the engine: each fails at
// once with one line naming the op, the shapes and the rule, before any graph is recorded.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"

using namespace attn;

namespace {

Variable parameter(const Shape& shape) { return Variable(Tensor::ones(shape), true); }

}  // namespace

TEST_CASE("errors: matmul with mismatched inner dimensions") {
  CHECK_THROWS_WITH_AS(matmul(parameter({2, 3}), parameter({4, 5})),
                       "matmul: [2,3] @ [4,5]: inner dimensions 3 and 4 differ", Error);
}

TEST_CASE("errors: add of shapes that do not broadcast") {
  CHECK_THROWS_WITH_AS(parameter({2, 3}) + parameter({4}),
                       "add: [2,3] and [4]: sizes 3 and 4 cannot be broadcast", Error);
}

TEST_CASE("errors: layer_norm with gamma of the wrong shape") {
  CHECK_THROWS_WITH_AS(layer_norm(parameter({2, 4}), parameter({3}), parameter({4})),
                       doctest::Contains("layer_norm: gamma [3] must be [4]"), Error);
}

TEST_CASE("errors: embedding with a token outside the vocabulary") {
  const Tensor tokens = Tensor::from_vector({3}, {1, 5, 0});
  CHECK_THROWS_WITH_AS(embedding(parameter({5, 2}), tokens),
                       "embedding: token 5 is not an id in a vocabulary of 5 (0..4)", Error);
}

TEST_CASE("errors: embedding with a padding_index outside the vocabulary") {
  const Tensor tokens = Tensor::from_vector({2}, {1, 0});
  CHECK_THROWS_WITH_AS(embedding(parameter({5, 2}), tokens, 5),
                       doctest::Contains("embedding: padding_index 5 is out of range"), Error);
}

TEST_CASE("errors: cross_entropy with a target outside the classes") {
  const Tensor targets = Tensor::from_vector({2}, {1, 5});
  CHECK_THROWS_WITH_AS(cross_entropy(parameter({2, 5}), targets),
                       "cross_entropy: target 5 is out of range for 5 classes", Error);
}

TEST_CASE("errors: concat of pieces that differ outside the joined dimension") {
  CHECK_THROWS_WITH_AS(concat({parameter({2, 3}), parameter({2, 4})}, 0),
                       "concat: [2,3] and [2,4] differ outside dimension 0", Error);
}

TEST_CASE("errors: dropout probability p outside 0 <= p < 1") {
  Generator generator(1);
  CHECK_THROWS_WITH_AS(dropout(parameter({2}), 1, generator),
                       doctest::Contains("dropout: p must be in [0, 1)"), Error);
  CHECK_THROWS_WITH_AS(dropout(parameter({2}), -0.5, generator),
                       doctest::Contains("dropout: p must be in [0, 1)"), Error);
}

TEST_CASE("errors: the engine names the op whose backward returns a wrong shape") {
  Variable x = parameter({2});
  // A broken op: its backward forgets to sum the gradient back down to x's shape.
  Variable y = Variable::make_result(Tensor::ones({3, 2}), "broken_broadcast", {x},
                                     [](const Tensor& g) { return std::vector<Tensor>{g}; });
  CHECK_THROWS_WITH_AS(
      sum(y).backward(),
      "broken_broadcast: backward produced gradient [3,2] for input 0 of shape [2]", Error);
}

TEST_CASE("errors: the engine names the op whose backward returns too few gradients") {
  Variable a = parameter({2}), b = parameter({2});
  Variable y = Variable::make_result(Tensor::ones({2}), "forgetful", {a, b},
                                     [](const Tensor& g) { return std::vector<Tensor>{g}; });
  CHECK_THROWS_WITH_AS(sum(y).backward(), "forgetful: backward returned 1 gradients for 2 inputs",
                       Error);
}
