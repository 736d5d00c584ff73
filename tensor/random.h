// Seeded random numbers that are the same on every platform.
//
// std::mt19937 is portable but std::normal_distribution is not (each standard library draws
// differently), so attn carries its own: SplitMix64 to expand the seed, xoshiro256** for the
// stream (Blackman & Vigna 2018), 24/53 high bits for uniform reals, Box-Muller for normals.
//
// Initialisers, with fan_in / fan_out read from a weight of shape [out, in]:
//   xavier_uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out))     (Glorot & Bengio 2010)
//   xavier_normal:  N(0, 2 / (fan_in + fan_out))
//   kaiming_uniform: U(-a, a), a = sqrt(6 / fan_in)                (He et al. 2015, for ReLU)
//   kaiming_normal:  N(0, 2 / fan_in)
#pragma once

#include <array>
#include <cstdint>

#include "tensor/tensor.h"

namespace attn {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0);
  uint64_t next_u64();
  double uniform();  // in [0, 1)
  double normal();   // standard normal
  // The full state, to save with a checkpoint and restore exactly.
  std::array<uint64_t, 4> state() const { return state_; }
  void set_state(const std::array<uint64_t, 4>& state) { state_ = state; }

 private:
  std::array<uint64_t, 4> state_;
};

Tensor uniform(const Shape& shape, real low, real high, Generator& generator);
Tensor normal(const Shape& shape, real mean, real stddev, Generator& generator);
// 1 with probability p, else 0. Takes one draw from `generator` and fills blocks of the tensor in
// parallel from generators seeded by it, so the result does not depend on the thread count.
Tensor bernoulli(const Shape& shape, real p, Generator& generator);
// x * scale * bernoulli(x.shape(), p, G), where G's next draw is `seed`, without making the mask:
// dropout keeps the seed rather than the mask, and makes the same mask again for its backward.
Tensor multiply_by_bernoulli(const Tensor& x, real p, uint64_t seed, real scale);

Tensor xavier_uniform(const Shape& shape, Generator& generator);
Tensor xavier_normal(const Shape& shape, Generator& generator);
Tensor kaiming_uniform(const Shape& shape, Generator& generator);
Tensor kaiming_normal(const Shape& shape, Generator& generator);

}  // namespace attn
