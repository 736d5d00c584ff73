// attn's FFT (train/audio/fft.h): it equals its direct twin, the O(N^2) sum, on random inputs of
// every power-of-two size to 1024; it gives hand-computed transforms of a delta, a constant and a
// cosine; it keeps energy (Parseval); and the power spectrum of a real frame is N/2 + 1 bins.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include "tensor/error.h"
#include "train/audio/fft.h"

using namespace attn;
using Complex = std::complex<double>;

namespace {

std::vector<Complex> random_values(size_t n, std::mt19937& generator) {
  std::normal_distribution<double> normal;
  std::vector<Complex> values(n);
  for (Complex& value : values) value = {normal(generator), normal(generator)};
  return values;
}

double largest_magnitude(const std::vector<Complex>& values) {
  double largest = 0;
  for (const Complex& value : values) largest = std::max(largest, std::abs(value));
  return largest;
}

// max_k |a[k] - b[k]| / max_k |b[k]|: the error relative to the spectrum's scale.
double relative_difference(const std::vector<Complex>& a, const std::vector<Complex>& b) {
  double largest = 0;
  for (size_t k = 0; k < a.size(); ++k) largest = std::max(largest, std::abs(a[k] - b[k]));
  return largest / largest_magnitude(b);
}

std::vector<Complex> transformed(std::vector<Complex> values) {
  fft(values);
  return values;
}

}  // namespace

TEST_CASE("fft: equals the direct DFT on random inputs of every power-of-two size to 1024") {
  std::mt19937 generator(2024);
  for (size_t n = 1; n <= 1024; n *= 2) {
    CAPTURE(n);
    const std::vector<Complex> values = random_values(n, generator);
    CHECK(relative_difference(transformed(values), dft(values)) < 1e-9);
  }
}

TEST_CASE("fft: a delta, a constant and a cosine transform to their known spectra") {
  const size_t n = 8;
  // A delta at 0: X[k] = sum_t delta[t] exp(...) = exp(0) = 1 for every k.
  std::vector<Complex> delta(n, 0.0);
  delta[0] = 1;
  for (const Complex& value : transformed(delta)) CHECK(std::abs(value - 1.0) < 1e-12);

  // A constant 3: X[0] = 8 * 3 = 24; for k > 0 the k-th roots of unity sum to 0.
  const std::vector<Complex> constant = transformed(std::vector<Complex>(n, 3.0));
  CHECK(std::abs(constant[0] - 24.0) < 1e-12);
  for (size_t k = 1; k < n; ++k) CHECK(std::abs(constant[k]) < 1e-12);

  // cos(2 pi 2 t / 8) = (e^{2 pi i 2t/8} + e^{-2 pi i 2t/8}) / 2: half of each exponential,
  // each of which sums to N = 8 in its own bin, 2 and 8 - 2 = 6: X[2] = X[6] = 4, the rest 0.
  std::vector<Complex> cosine(n);
  for (size_t t = 0; t < n; ++t) cosine[t] = std::cos(2 * std::numbers::pi * 2 * double(t) / 8);
  const std::vector<Complex> spectrum = transformed(cosine);
  for (size_t k = 0; k < n; ++k) {
    CAPTURE(k);
    CHECK(std::abs(spectrum[k] - (k == 2 || k == 6 ? 4.0 : 0.0)) < 1e-12);
  }
}

TEST_CASE("fft: Parseval, sum |x|^2 = sum |X|^2 / N") {
  std::mt19937 generator(7);
  for (size_t n : {1, 16, 512}) {
    CAPTURE(n);
    const std::vector<Complex> values = random_values(n, generator);
    double time_energy = 0, frequency_energy = 0;
    for (const Complex& value : values) time_energy += std::norm(value);
    for (const Complex& value : transformed(values)) frequency_energy += std::norm(value);
    CHECK(frequency_energy / double(n) == doctest::Approx(time_energy).epsilon(1e-12));
  }
}

TEST_CASE("fft: a size that is not a power of two is refused") {
  for (size_t n : {0, 3, 6, 1000}) {
    std::vector<Complex> values(n);
    CHECK_THROWS_WITH_AS(fft(values),
                         ("fft: " + std::to_string(n) +
                          " values; the radix-2 FFT needs a power of two (1, 2, 4, ...)")
                             .c_str(),
                         Error);
  }
  CHECK(is_power_of_two(1));
  CHECK(is_power_of_two(1024));
  CHECK_FALSE(is_power_of_two(0));
  CHECK_FALSE(is_power_of_two(-4));
  CHECK_FALSE(is_power_of_two(12));
}

TEST_CASE("fft: the power spectrum of a real frame is |X[k]|^2 for k = 0 .. N/2") {
  // 1 + cos(2 pi t / 4) over N = 8 samples: 2 1 0 1 2 1 0 1. X[0] = 8 (its sum); the cosine,
  // 2 cycles in 8 samples, puts 8 / 2 = 4 in bin 2 (and its mirror, bin 6, not returned).
  // Powers: 64 at bin 0, 16 at bin 2, 0 at bins 1, 3 and 4 (Nyquist).
  const std::vector<double> frame = {2, 1, 0, 1, 2, 1, 0, 1};
  const std::vector<double> power = power_spectrum(frame);
  REQUIRE(power.size() == 5);
  const std::vector<double> expected = {64, 0, 16, 0, 0};
  for (size_t k = 0; k < 5; ++k) CHECK(power[k] == doctest::Approx(expected[k]).scale(1));

  // The buffered form gives the same, and reuses its buffers frame after frame.
  std::vector<Complex> work;
  std::vector<double> reused;
  for (int repeat = 0; repeat < 2; ++repeat) {
    power_spectrum(frame, work, reused);
    CHECK(reused == power);
  }
  CHECK_THROWS_AS(power_spectrum(std::vector<double>(6)), Error);
}
