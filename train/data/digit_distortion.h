// Random affine and elastic distortion of a handwritten digit: more digits from the same few.
//
// A small set of digits is learned by heart long before it is learned well (the shared MNIST
// sample gives a captioner 7,230 training digits; it fits them to a loss of 0.01 while the
// validation loss stays at 0.08). Drawing every digit of a training scene slightly rotated,
// scaled and sheared shows the model a new digit every time, as Simard, Steinkraus & Platt 2003
// ("Best practices for convolutional neural networks applied to visual document analysis", §2)
// do for MNIST. Validation and test scenes use the digits as they are.
//
//   A = k * R(theta) * [1 s; 0 1]          k scale, theta rotation, s horizontal shear
//   out(p) = in(c + A^-1 (p - c))          c the patch's centre, bilinear between pixels
//
// with theta, k and s uniform in [-degrees, degrees], [1 - scale, 1 + scale], [-shear, shear].
// The elastic distortion of the same paper (§2) bends strokes as a hand's wobble does: every
// output pixel p moves by its own displacement d(p), a field of uniform noise smoothed by a
// Gaussian, so that neighbours move alike:
//
//   d(p) = alpha * (G_sigma * u)(p)        u(p) uniform in [-1, 1]^2, G_sigma the Gaussian kernel
//   out(p) = in(c + A^-1 (p - c) + d(p))
//
// with sigma 4 pixels (the paper's; the noise is 0 outside the patch) and alpha the strength.
// The output has the patch's size; ink moved outside it is cut (at the default strength the ink
// of a centred 20x20 MNIST digit stays inside its 28x28 patch).
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/random.h"

namespace attn {

struct DigitDistortion {
  double degrees = 0;  // largest rotation, either way
  double scale = 0;    // largest relative change of size
  double shear = 0;    // largest horizontal shear, x moves by shear * y
  double elastic = 0;  // alpha: the elastic field's scale, pixels (the paper's 34 for MNIST)

  bool none() const { return degrees == 0 && scale == 0 && shear == 0 && elastic == 0; }
  // One knob for all three: strength 1 is 12 degrees, 10% and 0.2, within what a writer varies.
  static DigitDistortion of_strength(double strength);
};

// One affine transform: theta (radians, clockwise on screen), k and s of the equation.
struct DigitTransform {
  double theta = 0, scale = 1, shear = 0;
};

// The elastic displacement d(p) of each output pixel, row-major (empty: none).
struct DisplacementField {
  std::vector<double> x, y;
};

// The elastic field of a rows x cols patch: alpha * (G_sigma * u) of fresh uniform noise u.
std::vector<double> elastic_field(int64_t rows, int64_t cols, double sigma, double alpha,
                                  Generator& generator);

// The `rows` x `cols` bytes of `patch` under `transform`, each pixel then moved by `shift`.
std::vector<uint8_t> transform_digit(const uint8_t* patch, int64_t rows, int64_t cols,
                                     const DigitTransform& transform,
                                     const DisplacementField& shift = {});

// ... under a transform drawn from `generator` within `distortion`'s limits.
std::vector<uint8_t> distort_digit(const uint8_t* patch, int64_t rows, int64_t cols,
                                   const DigitDistortion& distortion, Generator& generator);

}  // namespace attn
