// Convolution layers and the convolutional image encoder: shapes, initialisation, where a cell
// looks, and gradients through the parameters.
#include <doctest/doctest.h>

#include <cmath>

#include "nn/vision/cnn_encoder.h"
#include "nn/vision/conv2d.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tests/nn/module_gradcheck.h"

using namespace attn;

TEST_CASE("Conv2d: torch's shapes and initialisation U(-1/sqrt(C K K), 1/sqrt(C K K))") {
  Generator generator(1);
  const Conv2d conv(4, 6, 3, generator, {1, 1});
  CHECK(conv.weight.shape() == Shape{6, 4, 3, 3});
  CHECK(conv.bias.shape() == Shape{6});
  const double k = 1 / std::sqrt(36.0);
  for (real w : conv.weight.value().to_vector()) CHECK(std::abs(w) <= k);
  CHECK(conv.forward(Variable(Tensor::zeros({2, 4, 5, 7}))).shape() == Shape{2, 6, 5, 7});
}

TEST_CASE("CnnEncoder: p pooling blocks halve the image p times into L = h w vectors of width D") {
  Generator generator(1);
  const CnnEncoder encoder(3, {8, 16, 32}, 3, generator);
  CHECK(encoder.width() == 32);
  CHECK(encoder.grid_size(64) == 8);
  const Variable a = encoder.forward(Variable(Tensor::zeros({2, 3, 64, 48})));
  CHECK(a.shape() == Shape{2, 8 * 6, 32});
  CHECK_THROWS_WITH_AS(encoder.forward(Variable(Tensor::zeros({2, 3, 4, 48}))),
                       doctest::Contains("H and W at least 8"), Error);
  const CnnEncoder unpooled_last(3, {8, 16, 32}, 2, generator);  // the last block keeps the size
  CHECK(unpooled_last.forward(Variable(Tensor::zeros({1, 3, 64, 48}))).shape() == Shape{1, 16 * 12, 32});
  CHECK_THROWS_WITH_AS(CnnEncoder(3, {8}, 2, generator), "CnnEncoder: pools must be in 0..1, got 2", Error);
}

TEST_CASE("CnnEncoder: a change in one corner of the image moves only the cells near it") {
  Generator generator(2);
  const CnnEncoder encoder(1, {4, 4}, 2, generator);  // 16x16 -> a 4x4 grid, cells 4x4 pixels
  Tensor image = Tensor::zeros({1, 1, 16, 16});
  const Tensor before = encoder.forward(Variable(image)).value();  // [1, 16, 4]
  image.at({0, 0, 15, 15}) = 5;  // the bottom-right pixel: cell (3, 3) = 15
  const Tensor after = encoder.forward(Variable(image)).value();
  for (int64_t cell = 0; cell < 16; ++cell) {
    double change = 0;
    for (int64_t d = 0; d < 4; ++d) change += std::abs(after.at({0, cell, d}) - before.at({0, cell, d}));
    const int64_t row = cell / 4, col = cell % 4;
    // Two 3x3 convolutions and pools reach at most one cell beyond the pixel's own.
    if (row < 2 || col < 2) CHECK(change == 0);
  }
}

TEST_CASE("CnnEncoder: gradients match finite differences, input and parameters") {
  Generator generator(3);
  CnnEncoder encoder(2, {3, 2}, 2, generator);
  Generator data(4);
  const Tensor images = uniform({2, 2, 4, 8}, -1, 1, data);
  const GradCheckResult result = gradcheck_with_parameters(
      encoder, [&](const std::vector<Variable>& x) { return encoder.forward(x[0]); }, {images});
  CAPTURE(result.report);
  CHECK(result.passed);
}
