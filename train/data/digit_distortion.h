// Random affine distortion of a handwritten digit: more digits from the same few, for training.
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

  bool none() const { return degrees == 0 && scale == 0 && shear == 0; }
  // One knob for all three: strength 1 is 12 degrees, 10% and 0.2, within what a writer varies.
  static DigitDistortion of_strength(double strength);
};

// One affine transform: theta (radians, clockwise on screen), k and s of the equation.
struct DigitTransform {
  double theta = 0, scale = 1, shear = 0;
};

// The `rows` x `cols` bytes of `patch` under `transform`.
std::vector<uint8_t> transform_digit(const uint8_t* patch, int64_t rows, int64_t cols,
                                     const DigitTransform& transform);

// ... under a transform drawn from `generator` within `distortion`'s limits.
std::vector<uint8_t> distort_digit(const uint8_t* patch, int64_t rows, int64_t cols,
                                   const DigitDistortion& distortion, Generator& generator);

}  // namespace attn
