// fma_peak.h: the machine's float32 peak, measured rather than assumed.
//
//   peak GFLOP/s = threads * (lanes * 2 flops * fused multiply-adds per second) / 1e9
//
// The sessions run on different machines (Zen 3 with AVX2, Zen 5 and Xeons with AVX-512), so a
// peak written into the code would be wrong on most of them. Instead one core runs a loop of
// fused multiply-adds into kAccumulators independent registers, enough to keep both FMA pipes
// busy through the FMA latency (4 cycles x 2 pipes = 8 in flight), in the widest vectors the CPU
// has, and the fastest of a few tries counts. The intrinsics are x86's; elsewhere the peak is
// unknown and reported as 0.
#pragma once

#include <algorithm>

#include "bench/bench_util.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace attn::bench {

#if defined(__x86_64__)

constexpr int kAccumulators = 12;
constexpr long kFmaSteps = 20'000'000;  // per accumulator: about 0.1 s at 3 GHz

// The two loops below are one loop in two vector widths: each intrinsic must be compiled for
// its own instruction set, which a shared template cannot be.

// float32 flops per second of this thread, in AVX-512 (16 lanes, 2 flops per lane per FMA).
__attribute__((target("avx512f"))) inline double flops_per_second_avx512() {
  __m512 acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_set1_ps(0.001f * static_cast<float>(i));
  const __m512 factor = _mm512_set1_ps(0.9999f), term = _mm512_set1_ps(1e-6f);
  const Clock::time_point start = Clock::now();
  for (long step = 0; step < kFmaSteps; ++step)
#pragma GCC unroll 12
    for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm512_fmadd_ps(acc[i], factor, term);
  const double seconds = seconds_since(start);
  float sink = 0;  // the results are used, so the loop is not removed
  for (int i = 0; i < kAccumulators; ++i) sink += _mm512_cvtss_f32(acc[i]);
  return sink == 12345.0f ? 0 : 32.0 * kFmaSteps * kAccumulators / seconds;
}

// The same in AVX2 (8 lanes).
__attribute__((target("avx2,fma"))) inline double flops_per_second_avx2() {
  __m256 acc[kAccumulators];
  for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm256_set1_ps(0.001f * static_cast<float>(i));
  const __m256 factor = _mm256_set1_ps(0.9999f), term = _mm256_set1_ps(1e-6f);
  const Clock::time_point start = Clock::now();
  for (long step = 0; step < kFmaSteps; ++step)
#pragma GCC unroll 12
    for (int i = 0; i < kAccumulators; ++i) acc[i] = _mm256_fmadd_ps(acc[i], factor, term);
  const double seconds = seconds_since(start);
  float sink = 0;
  for (int i = 0; i < kAccumulators; ++i) sink += _mm256_cvtss_f32(acc[i]);
  return sink == 12345.0f ? 0 : 16.0 * kFmaSteps * kAccumulators / seconds;
}

// float32 flops per second of one thread, in the widest FMA vectors this CPU has; 0 without FMA.
inline double flops_per_second_one_thread() {
  if (__builtin_cpu_supports("avx512f")) return flops_per_second_avx512();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return flops_per_second_avx2();
  return 0;
}

#else

inline double flops_per_second_one_thread() { return 0; }

#endif

// Peak float32 GFLOP/s of `threads` cores: threads times one core's best of three tries. One
// core is measured alone, because on a shared machine the second core's rate is the neighbours'
// load as much as the hardware (the same loop on two threads gave 102 to 203 GFLOP/s here).
inline double measured_peak_gflops(int threads) {
  double best = 0;
  for (int attempt = 0; attempt < 3; ++attempt)
    best = std::max(best, flops_per_second_one_thread());
  return threads * best / 1e9;
}

}  // namespace attn::bench
