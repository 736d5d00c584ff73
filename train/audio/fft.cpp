// The radix-2 FFT, its direct twin, and the power spectrum of a real frame (see fft.h).
#include "train/audio/fft.h"

#include <iterator>
#include <numbers>
#include <utility>

#include "tensor/error.h"

namespace attn {

namespace {

// Puts values[i] at the index whose log2 N bits are i's reversed: 0b001 <-> 0b100 for N = 8.
// That is where splitting into even and odd samples, log2 N times over, takes each sample.
void bit_reverse_permute(std::vector<std::complex<double>>& values) {
  const size_t n = values.size();
  for (size_t i = 1, j = 0; i < n; ++i) {
    // j runs through the bit reversals of 1, 2, 3, ...: adding 1 at the top, carrying downwards.
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j |= bit;
    if (i < j) std::swap(values[i], values[j]);  // each pair once
  }
}

}  // namespace

bool is_power_of_two(int64_t n) { return n > 0 && (n & (n - 1)) == 0; }

void fft(std::vector<std::complex<double>>& values) {
  const int64_t n = std::ssize(values);
  if (!is_power_of_two(n))
    throw Error("fft: " + std::to_string(n) +
                " values; the radix-2 FFT needs a power of two (1, 2, 4, ...)");
  bit_reverse_permute(values);
  // Blocks of `size` are the transforms of `size` samples, made from two halves of size / 2.
  for (size_t size = 2; size <= values.size(); size *= 2) {
    const size_t half = size / 2;
    // w^k, w = exp(-2 pi i / size), by multiplying up from w^0: one sine and cosine per level
    // rather than per k (the rounding grows like k eps, far below what features need)
    const std::complex<double> w_1 = std::polar(1.0, -2 * std::numbers::pi / double(size));
    std::complex<double> w = 1;
    for (size_t k = 0; k < half; ++k, w *= w_1) {
      for (size_t block = 0; block < values.size(); block += size) {
        const std::complex<double> even = values[block + k];
        const std::complex<double> odd = w * values[block + k + half];
        values[block + k] = even + odd;         // X[k]        = E[k] + w^k O[k]
        values[block + k + half] = even - odd;  // X[k + N/2]  = E[k] - w^k O[k]
      }
    }
  }
}

std::vector<std::complex<double>> dft(const std::vector<std::complex<double>>& values) {
  const size_t n = values.size();
  std::vector<std::complex<double>> spectrum(n);
  for (size_t k = 0; k < n; ++k)
    for (size_t t = 0; t < n; ++t) {
      // k t mod N keeps the angle below 2 pi, where cos and sin are most accurate.
      const double angle = -2 * std::numbers::pi * double(k * t % n) / double(n);
      spectrum[k] += values[t] * std::polar(1.0, angle);
    }
  return spectrum;
}

std::vector<double> power_spectrum(const std::vector<double>& frame) {
  std::vector<std::complex<double>> work;
  std::vector<double> power;
  power_spectrum(frame, work, power);
  return power;
}

void power_spectrum(const std::vector<double>& frame, std::vector<std::complex<double>>& work,
                    std::vector<double>& power) {
  // A complex FFT of the real frame (imaginary parts 0): half its output mirrors the other
  // half, a factor of 2 given away for plainness.
  work.assign(frame.begin(), frame.end());
  fft(work);
  power.resize(frame.size() / 2 + 1);
  for (size_t k = 0; k < power.size(); ++k) power[k] = std::norm(work[k]);  // |X[k]|^2
}

}  // namespace attn
