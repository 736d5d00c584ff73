// Distorted digits (train/data/digit_distortion.h): the identity keeps every byte, a quarter
// turn, a scale, a shear and an elastic shift move ink where the equation says, draws stay
// within their limits, the elastic field is smoothed noise of the promised size, and distorted
// scenes keep their promises.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "train/data/digit_distortion.h"
#include "train/data/digit_scenes.h"

using namespace attn;

namespace {

constexpr int64_t kSize = 28;

// A 28x28 patch with ink (255) in rows top..bottom-1, columns left..right-1.
std::vector<uint8_t> bar(int64_t top, int64_t bottom, int64_t left, int64_t right) {
  std::vector<uint8_t> patch(kSize * kSize, 0);
  for (int64_t y = top; y < bottom; ++y)
    for (int64_t x = left; x < right; ++x) patch[static_cast<size_t>(y * kSize + x)] = 255;
  return patch;
}

// The tight box of the pixels above `level`.
Box ink(const std::vector<uint8_t>& patch, uint8_t level = 127) {
  int64_t top = kSize, bottom = -1, left = kSize, right = -1;
  for (int64_t y = 0; y < kSize; ++y)
    for (int64_t x = 0; x < kSize; ++x)
      if (patch[static_cast<size_t>(y * kSize + x)] > level) {
        top = std::min(top, y), bottom = std::max(bottom, y);
        left = std::min(left, x), right = std::max(right, x);
      }
  return {top, left, bottom - top + 1, right - left + 1};
}

}  // namespace

TEST_CASE("digit distortion: the identity transform keeps every byte") {
  std::vector<uint8_t> patch(kSize * kSize);
  for (size_t i = 0; i < patch.size(); ++i) patch[i] = static_cast<uint8_t>(i * 37 % 256);
  CHECK(transform_digit(patch.data(), kSize, kSize, DigitTransform{}) == patch);
}

TEST_CASE("digit distortion: a quarter turn stands a horizontal bar upright, about the centre") {
  // Rows 13-14 (the centre is 13.5), columns 4-23: a 2x20 bar. Turned by 90 degrees it covers
  // columns 13-14 and rows 4-23.
  const std::vector<uint8_t> lying = bar(13, 15, 4, 24);
  const DigitTransform quarter{std::numbers::pi / 2, 1, 0};
  CHECK(ink(transform_digit(lying.data(), kSize, kSize, quarter)) == Box{4, 13, 20, 2});
}

TEST_CASE("digit distortion: scale grows the ink about the centre, shear slants it") {
  // A 10x10 square, rows and columns 9-18, scaled by 1.2: 12x12, rows and columns 8-19.
  const std::vector<uint8_t> square = bar(9, 19, 9, 19);
  CHECK(ink(transform_digit(square.data(), kSize, kSize, {0, 1.2, 0})) == Box{8, 8, 12, 12});
  // Shear 0.5 moves each row by 0.5 (y - 13.5): the top row 9 by -2.25, the bottom row 18 by
  // +2.25, so the square's ink spans columns 7-20 and keeps its rows.
  const Box slanted = ink(transform_digit(square.data(), kSize, kSize, {0, 1, 0.5}));
  CHECK(slanted.top == 9);
  CHECK(slanted.height == 10);
  CHECK(slanted.left == 7);
  CHECK(slanted.width == 14);
}

TEST_CASE("digit distortion: an elastic field moves each pixel's ink against its displacement") {
  // out(p) = in(p + d(p)): with d = (3, -2) everywhere the square moves 3 left and 2 down.
  const std::vector<uint8_t> square = bar(9, 19, 9, 19);
  DisplacementField shift;
  shift.x.assign(kSize * kSize, 3);
  shift.y.assign(kSize * kSize, -2);
  CHECK(ink(transform_digit(square.data(), kSize, kSize, {}, shift)) == Box{11, 6, 10, 10});
  shift.y.pop_back();
  CHECK_THROWS_AS(transform_digit(square.data(), kSize, kSize, {}, shift), std::exception);
}

TEST_CASE("digit distortion: the elastic field is smoothed noise, as large as alpha says") {
  // u uniform in [-1, 1] (variance 1/3) under a normalised Gaussian w: an interior pixel of
  // alpha * (w * u) has standard deviation alpha * sqrt(1/3) * sum_k w_k^2 (w is separable, so
  // the 2-d sum of squares is the square of the 1-d one), and neighbours one pixel apart
  // correlate by exp(-1 / (4 sigma^2)).
  constexpr int64_t kField = 64, kMargin = 12;  // 3 sigma: the kernel's reach
  constexpr double kSigma = 4, kAlpha = 10;
  double weights = 0, squares = 0;
  for (int64_t i = -kMargin; i <= kMargin; ++i)
    weights += std::exp(static_cast<double>(-i * i) / (2 * kSigma * kSigma));
  for (int64_t i = -kMargin; i <= kMargin; ++i)
    squares += std::pow(std::exp(static_cast<double>(-i * i) / (2 * kSigma * kSigma)) / weights, 2);
  const double expected_std = kAlpha * std::sqrt(1.0 / 3) * squares;

  Generator generator(11), again(11);
  double sum = 0, sum_squares = 0, sum_products = 0;
  int64_t count = 0;
  for (int draw = 0; draw < 20; ++draw) {
    const std::vector<double> field = elastic_field(kField, kField, kSigma, kAlpha, generator);
    const std::vector<double> half = elastic_field(kField, kField, kSigma, kAlpha / 2, again);
    for (size_t i = 0; i < field.size(); ++i) CHECK(half[i] * 2 == doctest::Approx(field[i]));
    for (int64_t y = kMargin; y < kField - kMargin; ++y)
      for (int64_t x = kMargin; x < kField - kMargin; ++x) {
        const double d = field[static_cast<size_t>(y * kField + x)];
        sum += d, sum_squares += d * d, ++count;
        sum_products += d * field[static_cast<size_t>(y * kField + x + 1)];
      }
  }
  const double mean = sum / static_cast<double>(count);
  const double variance = sum_squares / static_cast<double>(count) - mean * mean;
  CHECK(std::abs(mean) < 0.1 * expected_std);
  CHECK(std::sqrt(variance) == doctest::Approx(expected_std).epsilon(0.1));
  const double correlation = (sum_products / static_cast<double>(count) - mean * mean) / variance;
  CHECK(correlation == doctest::Approx(std::exp(-1 / (4 * kSigma * kSigma))).epsilon(0.02));
}

TEST_CASE("digit distortion: draws stay within the limits, and a seed repeats them") {
  const std::vector<uint8_t> square = bar(9, 19, 9, 19);
  const DigitDistortion limits{0, 0.1, 0, 0};  // scale only: the square stays 9..11 wide
  Generator generator(4), again(4);
  for (int i = 0; i < 50; ++i) {
    const std::vector<uint8_t> drawn = distort_digit(square.data(), kSize, kSize, limits, generator);
    CHECK(drawn == distort_digit(square.data(), kSize, kSize, limits, again));
    const Box box = ink(drawn);
    CHECK((box.width >= 9 && box.width <= 12 && box.height == box.width));
  }
  CHECK(DigitDistortion{}.none());
  CHECK_FALSE(DigitDistortion::of_strength(1).none());
}

TEST_CASE("digit distortion: distorted scenes keep their boxes apart, all ink inside them") {
  IdxImages digits{20, kSize, kSize, {}};
  std::vector<uint8_t> labels;
  for (int64_t i = 0; i < 20; ++i) {
    const std::vector<uint8_t> patch = bar(6 + i % 5, 20, 8, 18 + i % 3);
    digits.pixels.insert(digits.pixels.end(), patch.begin(), patch.end());
    labels.push_back(static_cast<uint8_t>(i % 10));
  }
  DigitSceneOptions options;
  options.distortion = DigitDistortion::of_strength(1);
  options.distortion.elastic = 34;
  const auto scenes = digit_scenes(digits, labels, digit_range(0, 20), 30, 9, options);
  int64_t stray = 0;  // inked pixels outside every box
  for (const Scene& scene : scenes) {
    for (size_t a = 0; a < scene.objects.size(); ++a)
      for (size_t b = a + 1; b < scene.objects.size(); ++b)
        CHECK_FALSE(scene.objects[a].overlaps(scene.objects[b]));
    for (int64_t y = 0; y < 64; ++y)
      for (int64_t x = 0; x < 64; ++x) {
        const auto inside = [&](const Box& box) { return box.contains(y, x); };
        if (scene.image.at(0, y, x) > 0 &&
            std::none_of(scene.objects.begin(), scene.objects.end(), inside))
          ++stray;
      }
  }
  CHECK(stray == 0);
  options.distortion.degrees = 50;
  CHECK_THROWS_AS(digit_scenes(digits, labels, digit_range(0, 20), 1, 9, options), std::exception);
  options.distortion.degrees = 12;
  options.distortion.elastic = 61;
  CHECK_THROWS_AS(digit_scenes(digits, labels, digit_range(0, 20), 1, 9, options), std::exception);
}
