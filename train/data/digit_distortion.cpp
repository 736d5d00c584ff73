// Random affine and elastic distortion of a digit (see digit_distortion.h).
#include "train/data/digit_distortion.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "tensor/error.h"

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

// The Gaussian of standard deviation sigma sampled at -r..r, r = ceil(3 sigma), summing to 1.
std::vector<double> gaussian_kernel(double sigma) {
  const auto radius = static_cast<int64_t>(std::ceil(3 * sigma));
  std::vector<double> kernel(static_cast<size_t>(2 * radius + 1));
  double sum = 0;
  for (int64_t i = -radius; i <= radius; ++i) {
    const double x = static_cast<double>(i) / sigma;
    sum += kernel[static_cast<size_t>(i + radius)] = std::exp(-0.5 * x * x);
  }
  for (double& weight : kernel) weight /= sum;
  return kernel;
}

// The rows x cols field turned: [cols, rows], so that its rows become columns.
std::vector<double> turned(const std::vector<double>& field, int64_t rows, int64_t cols) {
  std::vector<double> out(field.size());
  for (int64_t y = 0; y < rows; ++y)
    for (int64_t x = 0; x < cols; ++x)
      out[static_cast<size_t>(x * rows + y)] = field[static_cast<size_t>(y * cols + x)];
  return out;
}

// The rows x cols field convolved with `kernel` [2r + 1] along y (within each column); the
// field is 0 beyond the patch. It runs as a sum of whole shifted rows, so the inner loop walks
// contiguous memory; along x is along y of the turned field.
std::vector<double> blur_along_y(const std::vector<double>& field, int64_t rows, int64_t cols,
                                 const std::vector<double>& kernel) {
  const auto radius = static_cast<int64_t>(kernel.size() / 2);
  std::vector<double> out(field.size(), 0.0);
  for (int64_t y = 0; y < rows; ++y) {
    double* to = &out[static_cast<size_t>(y * cols)];
    for (int64_t k = std::max<int64_t>(-radius, -y); k <= std::min(radius, rows - 1 - y); ++k) {
      const double weight = kernel[static_cast<size_t>(k + radius)];
      const double* from = &field[static_cast<size_t>((y + k) * cols)];
      for (int64_t x = 0; x < cols; ++x) to[x] += weight * from[x];
    }
  }
  return out;
}

// Sigma of the elastic field, pixels: Simard et al.'s choice for 28x28 digits. Smaller bends
// strokes into noise; larger moves the digit almost rigidly.
constexpr double kElasticSigma = 4;

}  // namespace

std::vector<double> elastic_field(int64_t rows, int64_t cols, double sigma, double alpha,
                                  Generator& generator) {
  std::vector<double> noise(static_cast<size_t>(rows * cols));
  for (double& u : noise) u = symmetric(generator, 1);
  const std::vector<double> kernel = gaussian_kernel(sigma);
  // the Gaussian is separable: along x (as along y of the turned field), then along y
  const std::vector<double> along_x =
      turned(blur_along_y(turned(noise, rows, cols), cols, rows, kernel), cols, rows);
  std::vector<double> field = blur_along_y(along_x, rows, cols, kernel);
  for (double& d : field) d *= alpha;
  return field;
}

DigitDistortion DigitDistortion::of_strength(double strength) {
  return {12 * strength, 0.1 * strength, 0.2 * strength, 0};
}

std::vector<uint8_t> transform_digit(const uint8_t* patch, int64_t rows, int64_t cols,
                                     const DigitTransform& transform,
                                     const DisplacementField& shift) {
  // A = k R(theta) [1 s; 0 1] on (x, y) columns; y grows downwards, so a positive theta turns
  // the digit clockwise as it appears on screen
  const double k = transform.scale, s = transform.shear;
  const double cos_t = std::cos(transform.theta), sin_t = std::sin(transform.theta);
  const Matrix2 forward{k * cos_t, k * (cos_t * s - sin_t), k * sin_t, k * (sin_t * s + cos_t)};
  const Matrix2 back = inverse(forward);
  const double cy = static_cast<double>(rows - 1) / 2, cx = static_cast<double>(cols - 1) / 2;
  const bool elastic = !shift.x.empty();
  const auto pixels = static_cast<size_t>(rows * cols);
  check(!elastic || (shift.x.size() == pixels && shift.y.size() == pixels), "transform_digit",
        "an elastic field needs one displacement per pixel");
  std::vector<uint8_t> out(static_cast<size_t>(rows * cols));
  for (int64_t y = 0; y < rows; ++y)
    for (int64_t x = 0; x < cols; ++x) {
      const auto at = static_cast<size_t>(y * cols + x);
      const double dx = static_cast<double>(x) - cx, dy = static_cast<double>(y) - cy;
      double from_x = cx + back.a * dx + back.b * dy, from_y = cy + back.c * dx + back.d * dy;
      if (elastic) from_x += shift.x[at], from_y += shift.y[at];
      const double value = sample(patch, rows, cols, from_y, from_x);
      out[at] = static_cast<uint8_t>(std::clamp(std::lround(value), 0L, 255L));
    }
  return out;
}

std::vector<uint8_t> distort_digit(const uint8_t* patch, int64_t rows, int64_t cols,
                                   const DigitDistortion& distortion, Generator& generator) {
  DigitTransform transform;
  transform.theta = symmetric(generator, distortion.degrees) * std::numbers::pi / 180;
  transform.scale = 1 + symmetric(generator, distortion.scale);
  transform.shear = symmetric(generator, distortion.shear);
  DisplacementField shift;
  if (distortion.elastic > 0) {
    shift.x = elastic_field(rows, cols, kElasticSigma, distortion.elastic, generator);
    shift.y = elastic_field(rows, cols, kElasticSigma, distortion.elastic, generator);
  }
  return transform_digit(patch, rows, cols, transform, shift);
}

}  // namespace attn
