// e^x for x <= 0, written so that a loop of it compiles to vector instructions.
//
// Softmax and cross-entropy exponentiate every logit of every row: 8,000 per target token with
// an 8,000-word vocabulary. The C library's expf is one call per element, which no compiler
// vectorises. Their arguments are never positive (x - max, or a log-probability), and on that
// half-line e^x takes a short, branch-free formula (Cody & Waite range reduction, then the
// minimax polynomial of Cephes' expf, Moshier 1989):
//
//   e^x = 2^n * e^r,   n = round(x / ln 2),   r = x - n ln 2  in [-ln2/2, ln2/2]
//   e^r ~ 1 + r + r^2 (c2 + c3 r + c4 r^2 + c5 r^3 + c6 r^4 + c7 r^5)
//   2^n   built directly as the bits of a float, exponent field n + 127
//
// Accuracy: within 2 ulp of std::exp (tests/tensor/test_softmax.cpp checks it on a dense grid).
// Below ln(smallest normal float) the result is 0 (no subnormals), so exp(-inf) is exactly 0;
// NaN stays NaN. In a double build this is std::exp itself.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace attn {

inline float exp_nonpositive(float x) {
  constexpr float kLowest = -87.33654f;            // ln(2^-126): below it, 0
  constexpr float kLog2e = 1.44269504088896341f;   // 1 / ln 2
  constexpr float kLn2High = 0.693359375f;         // ln 2 = kLn2High + kLn2Low, the high part
  constexpr float kLn2Low = -2.12194440e-4f;       //   exact in 9 bits, so n * kLn2High is exact
  constexpr float kRoundingShift = 12582912.0f;    // 1.5 * 2^23: adding it rounds to an integer
  // Plain selects, not std::min/max (which return references and defeat vectorisation);
  // NaN fails both comparisons and passes through.
  const float above_lowest = x < kLowest ? kLowest : x;
  const float clamped = above_lowest > 0.0f ? 0.0f : above_lowest;
  // n = round(x / ln 2). After adding 1.5 * 2^23 the float has no fraction bits left, so the sum
  // is rounded to an integer and that integer sits in the low bits of its representation.
  const float shifted = clamped * kLog2e + kRoundingShift;
  const float n = shifted - kRoundingShift;
  const float r = (clamped - n * kLn2High) - n * kLn2Low;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e_r = p * r * r + r + 1.0f;
  // Unsigned arithmetic: defined for every bit pattern, NaN's included.
  const std::uint32_t n_bits =
      std::bit_cast<std::uint32_t>(shifted) - std::bit_cast<std::uint32_t>(kRoundingShift);
  const float two_to_n = std::bit_cast<float>((n_bits + 127u) << 23);
  return x < kLowest ? 0.0f : e_r * two_to_n;
}

inline double exp_nonpositive(double x) { return std::exp(x); }

}  // namespace attn
