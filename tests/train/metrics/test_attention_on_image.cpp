// Grid attention on an image: maps and shares in boxes on cases worked out by hand.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "tensor/error.h"
#include "train/metrics/attention_on_image.h"

using namespace attn;

namespace {

double sum(const std::vector<double>& values) {
  double total = 0;
  for (double value : values) total += value;
  return total;
}

// A 3 x 3 grid over an 8 x 8 image: rows (and columns) y * 3 / 8 fall in cells
// 0 0 0 1 1 1 2 2, so the cells are 3, 3 and 2 pixels tall (and wide):
//             columns 0-2 (3)   3-5 (3)   6-7 (2)
//   rows 0-2    0.18 / 9         0.09 / 9   0.06 / 6
//   rows 3-5    0.09 / 9         0.27 / 9   0.12 / 6
//   rows 6-7    0.04 / 6         0.10 / 6   0.05 / 4
// per pixel:    0.02, 0.01, 0.01 / 0.01, 0.03, 0.02 / 0.04/6, 0.10/6, 0.0125
const std::vector<double> kUneven = {0.18, 0.09, 0.06, 0.09, 0.27, 0.12, 0.04, 0.10, 0.05};

}  // namespace

TEST_CASE("attention on image: a 2x2 grid over a 4x4 image spreads each cell over 4 pixels") {
  const std::vector<double> map = upsample_attention({0.1, 0.2, 0.3, 0.4}, 2, 2, 4, 4);
  const std::vector<double> expected = {0.025, 0.025, 0.05, 0.05,  //
                                        0.025, 0.025, 0.05, 0.05,  //
                                        0.075, 0.075, 0.1,  0.1,   //
                                        0.075, 0.075, 0.1,  0.1};
  REQUIRE(map.size() == expected.size());
  for (size_t i = 0; i < map.size(); ++i) {
    CAPTURE(i);
    CHECK(map[i] == doctest::Approx(expected[i]));
  }
}

TEST_CASE("attention on image: an uneven 3x3 grid over 8x8 divides by each cell's own size") {
  const std::vector<double> map = upsample_attention(kUneven, 3, 3, 8, 8);
  REQUIRE(map.size() == 64);
  auto at = [&](int y, int x) { return map[static_cast<size_t>(y * 8 + x)]; };
  CHECK(at(0, 0) == doctest::Approx(0.02));
  CHECK(at(2, 2) == doctest::Approx(0.02));    // still cell (0, 0)
  CHECK(at(2, 3) == doctest::Approx(0.01));    // cell (0, 1)
  CHECK(at(0, 7) == doctest::Approx(0.01));    // cell (0, 2): 0.06 over 3 x 2 pixels
  CHECK(at(4, 4) == doctest::Approx(0.03));    // cell (1, 1)
  CHECK(at(5, 6) == doctest::Approx(0.02));    // cell (1, 2): 0.12 over 3 x 2
  CHECK(at(6, 0) == doctest::Approx(0.04 / 6));
  CHECK(at(7, 5) == doctest::Approx(0.10 / 6));
  CHECK(at(7, 7) == doctest::Approx(0.0125));  // cell (2, 2): 0.05 over 2 x 2
  CHECK(sum(map) == doctest::Approx(1.0));
}

TEST_CASE("attention on image: the map's sum is the weights' sum, however the grid divides") {
  const int64_t sizes[][4] = {{1, 1, 1, 1}, {2, 3, 5, 7}, {5, 7, 13, 29}, {7, 7, 7, 7},
                              {3, 1, 100, 1}, {14, 14, 28, 28}, {4, 6, 28, 28}};
  for (const auto& size : sizes) {
    const int64_t h = size[0], w = size[1], height = size[2], width = size[3];
    CAPTURE(h);
    CAPTURE(w);
    CAPTURE(height);
    CAPTURE(width);
    std::vector<double> weights(static_cast<size_t>(h * w));
    for (size_t i = 0; i < weights.size(); ++i) weights[i] = 0.5 + static_cast<double>(i % 5);
    const std::vector<double> map = upsample_attention(weights, h, w, height, width);
    CHECK(map.size() == static_cast<size_t>(height * width));
    CHECK(sum(map) == doctest::Approx(sum(weights)).epsilon(1e-12));
  }
}

TEST_CASE("attention on image: a box covering exactly one cell holds that cell's weight") {
  // Cell (1, 2) of the uneven grid: rows 3-5, columns 6-7.
  CHECK(attention_in_box(kUneven, 3, 3, 8, 8, {3, 6, 3, 2}) == doctest::Approx(0.12));
  // Cell (2, 0): rows 6-7, columns 0-2.
  CHECK(attention_in_box(kUneven, 3, 3, 8, 8, {6, 0, 2, 3}) == doctest::Approx(0.04));
  // The whole image holds everything; weights that do not sum to 1 are shares of their sum.
  CHECK(attention_in_box(kUneven, 3, 3, 8, 8, {0, 0, 8, 8}) == doctest::Approx(1.0));
  CHECK(attention_in_box({1, 2, 3, 4}, 2, 2, 4, 4, {0, 2, 2, 2}) == doctest::Approx(0.2));
}

TEST_CASE("attention on image: a box over parts of cells holds their pixels' share") {
  // 2x2 grid on 4x4: the box rows 1-2, columns 1-2 holds one pixel of each cell:
  // 0.025 + 0.05 + 0.075 + 0.1 = 0.25.
  CHECK(attention_in_box({0.1, 0.2, 0.3, 0.4}, 2, 2, 4, 4, {1, 1, 2, 2}) ==
        doctest::Approx(0.25));
  // Rows 0-2 of columns 6-7 in the uneven grid: 3 x 2 pixels of cell (0, 2) at 0.01 = 0.06.
  CHECK(attention_in_box(kUneven, 3, 3, 8, 8, {0, 6, 3, 2}) == doctest::Approx(0.06));
}

TEST_CASE("attention on image: a box is clipped to the image, whatever numbers it holds") {
  const std::vector<double> weights = {0.1, 0.2, 0.3, 0.4};
  // Rows -2..1, columns 2..9 of a 4x4 image: rows 0-1, columns 2-3, all of cell (0, 1).
  CHECK(attention_in_box(weights, 2, 2, 4, 4, {-2, 2, 4, 8}) == doctest::Approx(0.2));
  CHECK(attention_in_box(weights, 2, 2, 4, 4, {4, 0, 2, 2}) == 0);   // below the image
  CHECK(attention_in_box(weights, 2, 2, 4, 4, {-3, 0, 3, 4}) == 0);  // ends above row 0
  CHECK(attention_in_box(weights, 2, 2, 4, 4, {0, 0, 0, 4}) == 0);   // empty
  CHECK(attention_in_box(weights, 2, 2, 4, 4, {0, 0, -5, 4}) == 0);  // negative height
  const int64_t low = std::numeric_limits<int64_t>::min();
  const int64_t high = std::numeric_limits<int64_t>::max();
  CHECK(attention_in_box(weights, 2, 2, 4, 4, {low, low, high, high}) == 0);
  CHECK(attention_in_box(weights, 2, 2, 4, 4, {-1, -1, high, high}) == doctest::Approx(1.0));
  CHECK(attention_in_box(weights, 2, 2, 4, 4, {2, 0, high, high}) == doctest::Approx(0.7));
  CHECK(uniform_attention_in_box(4, 4, {low, 1, high, 1}) == 0);
  CHECK(uniform_attention_in_box(4, 4, {high, high, high, high}) == 0);
}

TEST_CASE("attention on image: uniform attention scores the box's share of the image") {
  CHECK(uniform_attention_in_box(4, 4, {1, 1, 2, 2}) == doctest::Approx(0.25));
  CHECK(uniform_attention_in_box(8, 8, {3, 6, 3, 2}) == doctest::Approx(6.0 / 64));
  CHECK(uniform_attention_in_box(4, 8, {-1, 6, 3, 5}) == doctest::Approx(2.0 * 2 / 32));
  CHECK(uniform_attention_in_box(4, 4, {0, 0, 4, 4}) == 1);
  CHECK(uniform_attention_in_box(4, 4, {0, 0, 0, 4}) == 0);
  // Uniform weights on the grid score the same as the reference when the cells are even.
  CHECK(attention_in_box({0.25, 0.25, 0.25, 0.25}, 2, 2, 4, 4, {1, 0, 2, 3}) ==
        doctest::Approx(uniform_attention_in_box(4, 4, {1, 0, 2, 3})));
}

TEST_CASE("attention on image: mismatched sizes and bad weights are refused, naming them") {
  CHECK_THROWS_WITH_AS(upsample_attention({0.5, 0.5, 0}, 2, 2, 4, 4),
                       "upsample_attention: 3 weights for a grid 2x2 of 4 cells", Error);
  CHECK_THROWS_WITH_AS(upsample_attention(std::vector<double>(25, 0.04), 5, 5, 4, 8),
                       "upsample_attention: grid 5x5 does not fit in the image 4x8: every cell "
                       "needs a pixel",
                       Error);
  CHECK_THROWS_WITH_AS(upsample_attention({}, 0, 2, 4, 4),
                       "upsample_attention: grid 0x2 does not fit in the image 4x4: every cell "
                       "needs a pixel",
                       Error);
  CHECK_THROWS_WITH_AS(upsample_attention({1}, 1, 1, 0, 4),
                       "upsample_attention: image of 0x4 pixels: each side runs from 1 to 2^31 - 1",
                       Error);
  CHECK_THROWS_WITH_AS(upsample_attention({0.5, -0.5}, 1, 2, 4, 4),
                       "upsample_attention: weight 1 is -0.500000: attention weights are finite "
                       "and >= 0",
                       Error);
  CHECK_THROWS_AS(upsample_attention({std::numeric_limits<double>::quiet_NaN()}, 1, 1, 1, 1),
                  Error);
  CHECK_THROWS_WITH_AS(attention_in_box({1, 2, 3}, 2, 2, 4, 4, {0, 0, 1, 1}),
                       "attention_in_box: 3 weights for a grid 2x2 of 4 cells", Error);
  CHECK_THROWS_WITH_AS(attention_in_box({0, 0, 0, 0}, 2, 2, 4, 4, {0, 0, 1, 1}),
                       "attention_in_box: the weights sum to 0: there is no attention to share",
                       Error);
  CHECK_THROWS_WITH_AS(uniform_attention_in_box(-4, 4, {0, 0, 1, 1}),
                       "uniform_attention_in_box: image of -4x4 pixels: each side runs from 1 "
                       "to 2^31 - 1",
                       Error);
}
