// Seeded random numbers (tensor/random.h): pinned stream values so that a platform or compiler
// change that alters the numbers is caught, determinism, distribution moments, init bounds.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "tensor/error.h"
#include "tensor/random.h"
#include "tensor/thread_pool.h"

using namespace attn;

namespace {
struct Moments {
  double mean, stddev;
};

Moments moments_of(const Tensor& t) {
  const std::vector<real> values = t.to_vector();
  double total = 0, squares = 0;
  for (real v : values) total += v;
  const double mean = total / static_cast<double>(values.size());
  for (real v : values) squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / static_cast<double>(values.size()))};
}

real largest_magnitude(const Tensor& t) {
  real largest = 0;
  for (real v : t.to_vector()) largest = std::max(largest, std::abs(v));
  return largest;
}
}  // namespace

// ---- the generator ------------------------------------------------------------------------------

TEST_CASE("Generator: SplitMix64 seeding matches the reference first output for seed 0") {
  // SplitMix64 from 0: the first output of the reference implementation is 0xe220a8397b1dcdaf.
  CHECK(Generator(0).state()[0] == 0xe220a8397b1dcdafULL);
}

TEST_CASE("Generator: xoshiro256** matches the reference outputs from state {1, 2, 3, 4}") {
  // First output: rotl(s1 * 5, 7) * 9 = rotl(10, 7) * 9 = 1280 * 9 = 11520.
  Generator generator;
  generator.set_state({1, 2, 3, 4});
  CHECK(generator.next_u64() == 11520ULL);
  CHECK(generator.next_u64() == 0ULL);
  CHECK(generator.next_u64() == 1509978240ULL);
  CHECK(generator.next_u64() == 1215971899390074240ULL);
}

TEST_CASE("Generator: seed 42 gives these first numbers on every platform") {
  Generator generator(42);
  CHECK(generator.next_u64() == 0x15780b2e0c2ec716ULL);
  CHECK(generator.next_u64() == 0x6104d9866d113a7eULL);
  CHECK(generator.next_u64() == 0xae17533239e499a1ULL);
  CHECK(generator.next_u64() == 0xecb8ad4703b360a1ULL);

  // uniform = (x >> 11) * 2^-53 of the same draws
  Generator again(42);
  CHECK(again.uniform() == 0.08386297105988216);
  CHECK(again.uniform() == 0.3789802506626686);

  // normal: sqrt(-2 ln(1 - u0)) * cos(2 pi u1) with u0, u1 the two uniforms above
  Generator normals(42);
  CHECK(normals.normal() == doctest::Approx(-0.303263064678738).epsilon(1e-12));
}

TEST_CASE("Generator: the same seed gives the same numbers, another seed others") {
  Generator a(7), b(7), c(8);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next_u64();
    CHECK(x == b.next_u64());
    CHECK(x != c.next_u64());
  }
}

TEST_CASE("Generator: restoring state() replays the stream exactly") {
  Generator generator(123);
  generator.normal();
  const auto saved = generator.state();
  const double first = generator.normal();
  const double second = generator.uniform();
  generator.set_state(saved);
  CHECK(generator.normal() == first);
  CHECK(generator.uniform() == second);
}

TEST_CASE("Generator: uniform() stays at or above 0 and below 1") {
  Generator generator(1);
  double low = 1, high = 0;
  for (int i = 0; i < 10000; ++i) {
    const double u = generator.uniform();
    low = std::min(low, u);
    high = std::max(high, u);
  }
  CHECK(low >= 0);
  CHECK(high < 1);
}

// ---- fills --------------------------------------------------------------------------------------

TEST_CASE("uniform: the first value for seed 42 is pinned, in float32 and float64") {
  // float32 keeps the top 24 bits (0x15780b / 2^24 = 0.0838629603), float64 the top 53
  // (0.0838629711); -1 + 2u is -0.83227408 to within 1e-6 either way.
  Generator generator(42);
  const Tensor t = uniform({2}, -1, 1, generator);
  CHECK(t.to_vector()[0] == doctest::Approx(-0.8322740578802357).epsilon(1e-6));
}

TEST_CASE("uniform: 100k draws lie between low and high with mean (low + high) / 2") {
  Generator generator(5);
  const Tensor t = uniform({100000}, -2, 3, generator);
  const std::vector<real> values = t.to_vector();
  CHECK(*std::min_element(values.begin(), values.end()) >= -2);
  CHECK(*std::max_element(values.begin(), values.end()) <= 3);
  // U(a, b): mean (a + b) / 2 = 0.5, std (b - a) / sqrt(12) = 1.4434; std error of mean 0.0046
  const Moments m = moments_of(t);
  CHECK(std::abs(m.mean - 0.5) < 0.03);
  CHECK(std::abs(m.stddev - 5 / std::sqrt(12.0)) < 0.02);
}

TEST_CASE("normal: 100k draws have the requested mean and standard deviation") {
  Generator generator(42);
  // standard errors: mean 1 / sqrt(1e5) = 0.0032, std about 0.0022; bounds are ~6 of them
  const Moments standard = moments_of(normal({100000}, 0, 1, generator));
  CHECK(std::abs(standard.mean) < 0.02);
  CHECK(std::abs(standard.stddev - 1) < 0.015);
  const Moments shifted = moments_of(normal({100000}, 3, 2, generator));
  CHECK(std::abs(shifted.mean - 3) < 0.04);
  CHECK(std::abs(shifted.stddev - 2) < 0.03);
}

TEST_CASE("fills: the same seed gives the same tensor") {
  Generator a(9), b(9);
  CHECK(normal({3, 4}, 0, 1, a).to_vector() == normal({3, 4}, 0, 1, b).to_vector());
  CHECK(uniform({5}, 0, 1, a).to_vector() == uniform({5}, 0, 1, b).to_vector());
}

TEST_CASE("bernoulli: ones with probability p, zeros otherwise") {
  Generator generator(3);
  const Tensor t = bernoulli({100000}, 0.3, generator);
  const std::vector<real> values = t.to_vector();
  CHECK(std::all_of(values.begin(), values.end(), [](real v) { return v == 0 || v == 1; }));
  // std error sqrt(0.3 * 0.7 / 1e5) = 0.00145
  CHECK(std::abs(moments_of(t).mean - 0.3) < 0.01);
  CHECK(moments_of(bernoulli({100}, 0, generator)).mean == 0);
  CHECK(moments_of(bernoulli({100}, 1, generator)).mean == 1);
}

TEST_CASE("bernoulli: the same mask on 1 and 3 threads, and unrelated masks from block to block") {
  const int threads = num_threads();
  set_num_threads(1);
  Generator one(11);
  const std::vector<real> serial = bernoulli({100000}, 0.5, one).to_vector();
  set_num_threads(3);
  Generator three(11);
  const std::vector<real> parallel = bernoulli({100000}, 0.5, three).to_vector();
  set_num_threads(threads);
  CHECK(serial == parallel);
  CHECK(one.next_u64() == three.next_u64());  // the caller's generator advanced alike
  // Blocks hold 16,384 elements and have neighbouring seeds: their masks must still differ.
  const std::vector<real> block0(serial.begin(), serial.begin() + 16384);
  const std::vector<real> block1(serial.begin() + 16384, serial.begin() + 32768);
  int64_t agree = 0;
  for (size_t i = 0; i < block0.size(); ++i) agree += block0[i] == block1[i];
  CHECK(std::abs(double(agree) / 16384 - 0.5) < 0.02);  // independent halves agree half the time
}

// The plain twin of the fill: block b of 16,384 elements steps Generator(seed + b) alone, and
// each draw's low and then high 32 bits decide two elements. The fill steps four blocks' generators
// side by side; it must give these very bits, for any length (here 6 blocks and a part).
namespace {

// The mask of n elements as block b of 16,384 elements draws it from Generator(seed + b) alone.
std::vector<real> mask_drawn_block_by_block(int64_t n, real p, uint64_t seed) {
  const int64_t block = 16384;
  const uint64_t below = static_cast<uint64_t>(std::ldexp(static_cast<double>(p), 32));
  std::vector<real> mask(n);
  for (int64_t first = 0; first < n; first += block) {
    Generator alone(seed + static_cast<uint64_t>(first / block));
    for (int64_t i = first; i < std::min(n, first + block); i += 2) {
      const uint64_t bits = alone.next_u64();
      mask[i] = (bits & 0xffffffffULL) < below ? 1 : 0;
      if (i + 1 < n) mask[i + 1] = (bits >> 32) < below ? 1 : 0;
    }
  }
  return mask;
}

}  // namespace

TEST_CASE("bernoulli: the same bits as each block's generator stepped alone") {
  // 6 blocks and a part (two groups of four blocks stepped together), and less than one block.
  for (const int64_t n : {int64_t{6 * 16384 + 777}, int64_t{777}}) {
    CAPTURE(n);
    const real p = 0.3;
    Generator caller(5);
    const uint64_t seed = Generator(5).next_u64();
    const std::vector<real> expected = mask_drawn_block_by_block(n, p, seed);
    CHECK(bernoulli({n}, p, caller).to_vector() == expected);

    const Tensor x = uniform({n}, -1, 1, caller);
    const std::vector<real> dropped = multiply_by_bernoulli(x, p, seed, 2).to_vector();
    const std::vector<real> values = x.to_vector();
    int64_t differ = 0;
    for (int64_t i = 0; i < n; ++i) differ += dropped[i] != values[i] * 2 * expected[i];
    CHECK(differ == 0);
  }
}

TEST_CASE("fills: bad parameters are errors") {
  Generator generator;
  CHECK_THROWS_WITH_AS(uniform({2}, 1, 0, generator), "uniform: low 1 is above high 0", Error);
  CHECK_THROWS_WITH_AS(normal({2}, 0, -1, generator), "normal: stddev must be non-negative, got -1",
                       Error);
  CHECK_THROWS_WITH_AS(bernoulli({2}, 1.5, generator), "bernoulli: p must be in [0, 1], got 1.5",
                       Error);
}

// ---- initialisers -------------------------------------------------------------------------------

TEST_CASE("xavier_uniform: [out=64, in=32] lies within sqrt(6 / 96) = 0.25 and nearly reaches it") {
  Generator generator(42);
  const real bound = largest_magnitude(xavier_uniform({64, 32}, generator));
  CHECK(bound <= 0.25);
  CHECK(bound > 0.24);  // 2048 draws: P(all within 0.24) = 0.96^2048, effectively 0
}

TEST_CASE("xavier_uniform: a 1-d shape uses its size as both fans") {
  Generator generator(42);
  const real a = static_cast<real>(std::sqrt(6.0 / 20));  // fan_in = fan_out = 10
  CHECK(largest_magnitude(xavier_uniform({10}, generator)) <= a);
}

TEST_CASE("kaiming_uniform: [64, 32] lies within sqrt(6 / fan_in) = sqrt(6 / 32) = 0.433") {
  Generator generator(42);
  const real bound = largest_magnitude(kaiming_uniform({64, 32}, generator));
  const real a = static_cast<real>(std::sqrt(6.0 / 32));
  CHECK(bound <= a);
  CHECK(bound > 0.95 * a);
}

TEST_CASE("xavier_normal and kaiming_normal: standard deviations from the fans") {
  Generator generator(42);
  // [256, 128]: xavier std sqrt(2 / 384) = 0.0722, kaiming std sqrt(2 / 128) = 0.125;
  // 32768 draws give the std to within about 0.4%, so 3% is safe
  const Moments xavier = moments_of(xavier_normal({256, 128}, generator));
  CHECK(xavier.stddev == doctest::Approx(std::sqrt(2.0 / 384)).epsilon(0.03));
  const Moments kaiming = moments_of(kaiming_normal({256, 128}, generator));
  CHECK(kaiming.stddev == doctest::Approx(0.125).epsilon(0.03));
  CHECK(std::abs(kaiming.mean) < 0.005);  // std error 0.125 / 181 = 0.0007
}

TEST_CASE("initialisers: need a non-empty weight shape") {
  Generator generator;
  CHECK_THROWS_WITH_AS(xavier_uniform({}, generator),
                       "xavier_uniform: needs a shape with at least one dimension, got []", Error);
  CHECK_THROWS_WITH_AS(kaiming_normal({3, 0}, generator),
                       "kaiming_normal: fan_in and fan_out must be positive, got shape [3,0]",
                       Error);
}
