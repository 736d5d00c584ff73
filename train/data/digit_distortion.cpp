// Random affine distortion of a digit (see digit_distortion.h).
#include "train/data/digit_distortion.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace attn {

namespace {

// Uniform in [-limit, limit].
double symmetric(Generator& generator, double limit) { return (2 * generator.uniform() - 1) * limit; }

// The 2x2 matrix [a b; c d].
struct Matrix2 {
  double a, b, c, d;
};

Matrix2 inverse(const Matrix2& m) {
  const double det = m.a * m.d - m.b * m.c;
  return {m.d / det, -m.b / det, -m.c / det, m.a / det};
}

// The patch's value at a real position, bilinear between the four pixels around it; 0 outside.
double sample(const uint8_t* patch, int64_t rows, int64_t cols, double y, double x) {
  const double y0 = std::floor(y), x0 = std::floor(x);
  const double fy = y - y0, fx = x - x0;
  auto pixel = [&](double py, double px) -> double {
    if (py < 0 || px < 0 || py > static_cast<double>(rows - 1) || px > static_cast<double>(cols - 1))
      return 0;
    return patch[static_cast<int64_t>(py) * cols + static_cast<int64_t>(px)];
  };
  return (1 - fy) * ((1 - fx) * pixel(y0, x0) + fx * pixel(y0, x0 + 1)) +
         fy * ((1 - fx) * pixel(y0 + 1, x0) + fx * pixel(y0 + 1, x0 + 1));
}

}  // namespace

DigitDistortion DigitDistortion::of_strength(double strength) {
  return {12 * strength, 0.1 * strength, 0.2 * strength};
}

std::vector<uint8_t> transform_digit(const uint8_t* patch, int64_t rows, int64_t cols,
                                     const DigitTransform& transform) {
  // A = k R(theta) [1 s; 0 1] on (x, y) columns; y grows downwards, so a positive theta turns
  // the digit clockwise as it appears on screen
  const double k = transform.scale, s = transform.shear;
  const double cos_t = std::cos(transform.theta), sin_t = std::sin(transform.theta);
  const Matrix2 forward{k * cos_t, k * (cos_t * s - sin_t), k * sin_t, k * (sin_t * s + cos_t)};
  const Matrix2 back = inverse(forward);
  const double cy = static_cast<double>(rows - 1) / 2, cx = static_cast<double>(cols - 1) / 2;
  std::vector<uint8_t> out(static_cast<size_t>(rows * cols));
  for (int64_t y = 0; y < rows; ++y)
    for (int64_t x = 0; x < cols; ++x) {
      const double dx = static_cast<double>(x) - cx, dy = static_cast<double>(y) - cy;
      const double from_x = cx + back.a * dx + back.b * dy, from_y = cy + back.c * dx + back.d * dy;
      const double value = sample(patch, rows, cols, from_y, from_x);
      out[static_cast<size_t>(y * cols + x)] =
          static_cast<uint8_t>(std::clamp(std::lround(value), 0L, 255L));
    }
  return out;
}

std::vector<uint8_t> distort_digit(const uint8_t* patch, int64_t rows, int64_t cols,
                                   const DigitDistortion& distortion, Generator& generator) {
  DigitTransform transform;
  transform.theta = symmetric(generator, distortion.degrees) * std::numbers::pi / 180;
  transform.scale = 1 + symmetric(generator, distortion.scale);
  transform.shear = symmetric(generator, distortion.shear);
  return transform_digit(patch, rows, cols, transform);
}

}  // namespace attn
