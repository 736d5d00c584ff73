// Seeded random numbers, identical on every platform (see random.h).
//
// Seeding, SplitMix64 (Steele, Lea & Flood 2014): a counter stepped by the golden-ratio constant
// and scrambled, so that nearby seeds (0, 1, 2, ...) give unrelated states:
//   x += 0x9e3779b97f4a7c15;  z = mix(x)
// Stream, xoshiro256** (Blackman & Vigna 2018, "Scrambled linear pseudorandom number
// generators"): 256 bits of state s0..s3, period 2^256 - 1, output
//   rotl(s1 * 5, 7) * 9
// Uniform reals keep the top bits of one 64-bit draw: u = (x >> 11) * 2^-53 is in [0, 1) and every
// value is a multiple of 2^-53. Tensors of floats keep 24 bits instead, so that rounding to float
// can never turn a value just below 1 into 1.
// Normals by Box-Muller (Box & Muller 1958), from u1 in (0, 1] and u2 in [0, 1):
//   z = sqrt(-2 ln u1) * cos(2 pi u2)
// Box-Muller makes a second normal, sqrt(-2 ln u1) * sin(2 pi u2), which we drop: caching it
// would be state outside state(), and a checkpoint could then not restore the stream exactly.
// Only integer arithmetic, std::log, std::sqrt and std::cos are used; no std:: distributions,
// whose algorithms differ between standard libraries.
#include "tensor/random.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "tensor/error.h"
#include "tensor/thread_pool.h"

namespace attn {

namespace {

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// One SplitMix64 step: advances the counter and returns its scrambled value.
uint64_t splitmix64(uint64_t& counter) {
  uint64_t z = (counter += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// "0.5", not std::to_string's "0.500000", for error messages.
std::string number(real value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

// A real in [0, 1) from the top `digits` bits of one draw (24 for float, 53 for double): an
// integer below 2^digits is exact in `real`, and so is its product with 2^-digits.
real unit_real(Generator& generator) {
  constexpr int digits = std::numeric_limits<real>::digits;
  const real whole = static_cast<real>(generator.next_u64() >> (64 - digits));
  return whole * std::ldexp(real(1), -digits);
}

// Fills a new tensor of `shape` with draw() for each element, in row-major order.
template <typename Draw>
Tensor fill_with(const Shape& shape, Draw draw) {
  Tensor t = Tensor::empty(shape);
  real* out = t.data();
  const int64_t n = t.numel();
  for (int64_t i = 0; i < n; ++i) out[i] = draw();
  return t;
}

// fan_in and fan_out of a weight [out, in]; a bias-like [n] counts n for both.
struct Fans {
  double in, out;
};

Fans fans_of(const std::string& op, const Shape& shape) {
  check(!shape.empty(), op, "needs a shape with at least one dimension, got []");
  const Fans fans{static_cast<double>(shape.back()), static_cast<double>(shape.front())};
  check(fans.in > 0 && fans.out > 0, op,
        [&] { return "fan_in and fan_out must be positive, got shape " + to_string(shape); });
  return fans;
}

}  // namespace

// ---- the generator ----------------------------------------------------------------------------

Generator::Generator(uint64_t seed) {
  for (uint64_t& word : state_) word = splitmix64(seed);
}

uint64_t Generator::next_u64() {
  uint64_t* s = state_.data();
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double Generator::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Generator::normal() {
  constexpr double kTwoPi = 6.283185307179586476925;
  const double u1 = 1.0 - uniform();  // in (0, 1]: log(u1) is finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

// ---- fills ------------------------------------------------------------------------------------

Tensor uniform(const Shape& shape, real low, real high, Generator& generator) {
  check(low <= high, "uniform",
        [&] { return "low " + number(low) + " is above high " + number(high); });
  return fill_with(shape, [&] { return low + (high - low) * unit_real(generator); });
}

Tensor normal(const Shape& shape, real mean, real stddev, Generator& generator) {
  check(stddev >= 0, "normal",
        [&] { return "stddev must be non-negative, got " + number(stddev); });
  return fill_with(shape, [&] { return static_cast<real>(mean + stddev * generator.normal()); });
}

// Dropout draws a mask for millions of elements per training step, so this fill is built for
// speed. Each 64-bit draw decides two elements: its low 32 bits the first, its high 32 bits the
// second, an element kept when its 32 bits are below p * 2^32. The tensor is cut into blocks of
// kBernoulliBlock elements, each with its own generator seeded from one draw of the caller's
// generator plus the block's index, so the mask depends only on that one draw, never on the
// thread count, and blocks fill in parallel.
//
// One xoshiro256** step is a chain of dependent shifts and xors, too short to keep a core busy.
// kStreams blocks' generators are therefore stepped side by side, lane b of each vector holding
// block b's state (as SIMD xoshiro implementations do): every lane computes exactly what its own
// Generator would, so the mask is the same bits as stepping each block alone.
namespace {

constexpr int64_t kBernoulliBlock = 1 << 14;
constexpr int kStreams = 4;           // blocks stepped together: 4 x 64 bits, one AVX2 register
constexpr int64_t kChunkDraws = 256;  // draws per lane between two uses of the bits

typedef uint64_t streams_u64 __attribute__((vector_size(kStreams * sizeof(uint64_t))));

streams_u64 rotl(streams_u64 x, int k) { return (x << k) | (x >> (64 - k)); }

// kStreams xoshiro256** generators; lane b starts as Generator(seeds[b]).
class GeneratorStreams {
 public:
  explicit GeneratorStreams(const uint64_t (&seeds)[kStreams]) {
    for (int b = 0; b < kStreams; ++b) {
      const std::array<uint64_t, 4> state = Generator(seeds[b]).state();
      for (int w = 0; w < 4; ++w) s_[w][b] = state[w];
    }
  }

  // Generator::next_u64 in every lane; * 5 and * 9 as shifts and adds, which AVX2 has for
  // 64-bit lanes (it has no 64-bit multiply).
  streams_u64 next() {
    const streams_u64 times5 = (s_[1] << 2) + s_[1];
    const streams_u64 rotated = rotl(times5, 7);
    const streams_u64 result = (rotated << 3) + rotated;
    const streams_u64 t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  streams_u64 s_[4];
};

// Calls use(first, count, bits) for consecutive runs of the n elements with the mask's 32 bits
// of each (bits[j] decides element first + j), for bernoulli(p) seeded by `seed`.
template <typename Use>
void for_each_bernoulli_run(int64_t n, uint64_t seed, const Use& use) {
  const int64_t blocks = (n + kBernoulliBlock - 1) / kBernoulliBlock;
  const int64_t groups = (blocks + kStreams - 1) / kStreams;
  parallel_for(groups, 1, [&](int64_t begin, int64_t end) {
    uint32_t bits[kStreams][2 * kChunkDraws];
    for (int64_t group = begin; group < end; ++group) {
      const int64_t first_block = group * kStreams;
      uint64_t seeds[kStreams];
      for (int b = 0; b < kStreams; ++b) seeds[b] = seed + static_cast<uint64_t>(first_block + b);
      GeneratorStreams streams(seeds);  // lanes past the last block draw bits nobody reads
      // The group's first block is its longest: no draws past its end (a small tensor's mask
      // takes as many draws as it has elements, not a whole block's).
      const int64_t longest = std::min(kBernoulliBlock, n - first_block * kBernoulliBlock);
      for (int64_t offset = 0; offset < longest; offset += 2 * kChunkDraws) {
        for (int64_t d = 0; d < kChunkDraws; ++d) {
          const streams_u64 draw = streams.next();
          for (int b = 0; b < kStreams; ++b) {
            bits[b][2 * d] = static_cast<uint32_t>(draw[b]);
            bits[b][2 * d + 1] = static_cast<uint32_t>(draw[b] >> 32);
          }
        }
        for (int b = 0; b < kStreams && first_block + b < blocks; ++b) {
          const int64_t first = (first_block + b) * kBernoulliBlock + offset;
          const int64_t count = std::min(2 * kChunkDraws, n - first);
          if (count > 0) use(first, count, bits[b]);
        }
      }
    }
  });
}

// Elements are kept when their 32 bits are below p * 2^32; at p = 1 that is 2^32, beyond 32 bits,
// and every element is kept.
struct KeepThreshold {
  explicit KeepThreshold(real p)
      : below(static_cast<uint64_t>(std::ldexp(static_cast<double>(p), 32))) {}
  bool keeps_all() const { return below > 0xffffffffULL; }
  uint32_t bits() const { return static_cast<uint32_t>(below); }
  uint64_t below;
};

// The two uses of a run's bits. They take their values as arguments, so that the compiler, which
// must assume a store to out[j] may change any float it reads through a pointer, keeps them in
// registers and runs the loops in vectors.
void write_mask(const uint32_t* bits, int64_t count, uint32_t below, real* out) {
  for (int64_t j = 0; j < count; ++j) out[j] = bits[j] < below ? real(1) : real(0);
}

// x * 0, not 0, for a dropped element: the product bernoulli() * scale * x gives, NaN and all.
void multiply_by_mask(const uint32_t* bits, int64_t count, uint32_t below, real scale,
                      const real* from, real* out) {
  for (int64_t j = 0; j < count; ++j) out[j] = from[j] * (bits[j] < below ? scale : real(0));
}

}  // namespace

Tensor bernoulli(const Shape& shape, real p, Generator& generator) {
  check(p >= 0 && p <= 1, "bernoulli", [&] { return "p must be in [0, 1], got " + number(p); });
  const uint64_t seed = generator.next_u64();  // drawn at every p: the stream advances alike
  const KeepThreshold keep(p);
  if (keep.keeps_all()) return Tensor::ones(shape);
  Tensor t = Tensor::empty(shape);
  real* out = t.data();
  const uint32_t below = keep.bits();
  for_each_bernoulli_run(t.numel(), seed, [&](int64_t first, int64_t count, const uint32_t* bits) {
    write_mask(bits, count, below, out + first);
  });
  return t;
}

Tensor multiply_by_bernoulli(const Tensor& x, real p, uint64_t seed, real scale) {
  check(p >= 0 && p <= 1, "bernoulli", [&] { return "p must be in [0, 1], got " + number(p); });
  const Tensor in = x.contiguous();
  Tensor t = Tensor::empty(x.shape());
  const real* from = in.data();
  real* out = t.data();
  const int64_t n = t.numel();
  const KeepThreshold keep(p);
  if (keep.keeps_all()) {
    for (int64_t i = 0; i < n; ++i) out[i] = from[i] * scale;
    return t;
  }
  const uint32_t below = keep.bits();
  for_each_bernoulli_run(n, seed, [&](int64_t first, int64_t count, const uint32_t* bits) {
    multiply_by_mask(bits, count, below, scale, from + first, out + first);
  });
  return t;
}

// ---- initialisers -----------------------------------------------------------------------------

Tensor xavier_uniform(const Shape& shape, Generator& generator) {
  const Fans fans = fans_of("xavier_uniform", shape);
  const real a = static_cast<real>(std::sqrt(6.0 / (fans.in + fans.out)));
  return uniform(shape, -a, a, generator);
}

Tensor xavier_normal(const Shape& shape, Generator& generator) {
  const Fans fans = fans_of("xavier_normal", shape);
  return normal(shape, 0, static_cast<real>(std::sqrt(2.0 / (fans.in + fans.out))), generator);
}

Tensor kaiming_uniform(const Shape& shape, Generator& generator) {
  const Fans fans = fans_of("kaiming_uniform", shape);
  const real a = static_cast<real>(std::sqrt(6.0 / fans.in));
  return uniform(shape, -a, a, generator);
}

Tensor kaiming_normal(const Shape& shape, Generator& generator) {
  const Fans fans = fans_of("kaiming_normal", shape);
  return normal(shape, 0, static_cast<real>(std::sqrt(2.0 / fans.in)), generator);
}

}  // namespace attn
