// gemm_bench: how fast is attn's GEMM, next to BLIS and next to what the machine can do?
//
//   GFLOP/s = 2 * M * N * K / seconds / 1e9        (one multiply and one add per term)
//
// Run: build/bench/gemm_bench            (build with -DCMAKE_BUILD_TYPE=Release)
// Prints one row per (shape, layout of B, threads): the median GFLOP/s of attn's kernel
// (gemm.cpp) and, when built with BLIS, of BLIS, each with its fraction of machine peak.
// Shapes: square sizes, then the Transformer's M = 2048 (tokens) x (K, N) projections. Layout
// "B^T" reads B through swapped strides, as q @ k.transpose(-1, -2) does, with no copy.
// The last line is the headline figure: attn at 1024^3 on 2 threads, and its ratio to BLIS.
#include "tensor/gemm.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "bench/fma_peak.h"
#include "tensor/matmul.h"
#include "tensor/thread_pool.h"

using namespace attn;

namespace {

constexpr int kRepetitions = 7;  // timings per cell; the median is reported

struct Shape3 {
  int64_t m, k, n;
};

std::vector<real> random_matrix(int64_t count, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<real> values(count);
  for (real& v : values) v = uniform(generator);
  return values;
}

// Seconds for one call of `product`.
double time_once(const std::function<void()>& product) {
  const auto start = std::chrono::steady_clock::now();
  product();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Median GFLOP/s of each product over kRepetitions timings of ~20 ms each. The products take
// turns, so that on a shared machine they all see the same background load.
std::vector<double> measure(const std::vector<std::function<void()>>& products, double flops) {
  std::vector<int> calls;
  for (const auto& product : products) {
    product();  // warm up: caches, packing buffers, thread pool
    calls.push_back(std::max(1, static_cast<int>(0.02 / std::max(time_once(product), 1e-9))));
  }
  std::vector<std::vector<double>> rates(products.size());
  for (int r = 0; r < kRepetitions; ++r)
    for (size_t p = 0; p < products.size(); ++p) {
      double seconds = 0;
      for (int c = 0; c < calls[p]; ++c) seconds += time_once(products[p]);
      rates[p].push_back(flops * calls[p] / seconds / 1e9);
    }
  std::vector<double> medians;
  for (std::vector<double>& r : rates) {
    std::nth_element(r.begin(), r.begin() + kRepetitions / 2, r.end());
    medians.push_back(r[kRepetitions / 2]);
  }
  return medians;
}

// One table row; returns {attn, blis} GFLOP/s (blis 0 when not built with it).
std::pair<double, double> bench_row(Shape3 s, bool transposed_b, int threads, double peak) {
  const std::vector<real> a = random_matrix(s.m * s.k, 1), b = random_matrix(s.k * s.n, 2);
  std::vector<real> c(s.m * s.n);
  // B [k, n] row-major, or B^T stored [n, k] and read with swapped strides.
  const MatrixRef b_ref = transposed_b ? MatrixRef{b.data(), 1, s.k} : MatrixRef{b.data(), s.n, 1};
  const GemmProblem problem{s.m, s.n, s.k, {a.data(), s.k, 1}, b_ref, c.data(), s.n, false};
  set_num_threads(threads);
  std::vector<std::function<void()>> products = {[&] { gemm_parallel(gemm_attn, problem); }};
#ifdef ATTN_WITH_BLIS
  products.push_back([&] { gemm_parallel(gemm_blis, problem); });
#endif
  std::vector<double> rates = measure(products, 2.0 * s.m * s.n * s.k);
  rates.resize(2, 0.0);  // no BLIS: 0
  const double ours = rates[0], theirs = rates[1];
  std::printf("%5lld x %5lld x %5lld  %-5s %3d   %7.1f  %5.1f%%", static_cast<long long>(s.m),
              static_cast<long long>(s.k), static_cast<long long>(s.n), transposed_b ? "B^T" : "B",
              threads, ours, 100 * ours / peak);
  if (theirs > 0)
    std::printf("   %7.1f  %5.1f%%   %5.2f", theirs, 100 * theirs / peak, ours / theirs);
  std::printf("\n");
  return {ours, theirs};
}

}  // namespace

int main() {
  std::printf("attn GEMM benchmark: real = %s, matmul back end = %s",
              sizeof(real) == 4 ? "float32" : "float64", matmul_backend());
#ifdef ATTN_WITH_BLIS
  std::printf(", BLIS kernels = %s", blis_arch());
#endif
  // The machine's peak at 1 and 2 threads, measured (fma_peak.h): peak[t] for t threads.
  const double peak[3] = {0, bench::measured_peak_gflops(1), bench::measured_peak_gflops(2)};
  std::printf(
      "\npeak = %.0f GFLOP/s on 1 thread, %.0f on 2 (float32 FMA, measured); medians of %d "
      "runs\n\n",
      peak[1], peak[2], kRepetitions);
  std::printf(
      "    M x     K x     N  B     thr      attn   %%peak      blis   %%peak   "
      "attn/blis\n");

  const std::vector<Shape3> shapes = {{128, 128, 128},    {256, 256, 256},    {512, 512, 512},
                                      {1024, 1024, 1024}, {2048, 2048, 2048}, {2048, 256, 1024},
                                      {2048, 1024, 256},  {2048, 256, 256},   {2048, 512, 2048}};
  std::pair<double, double> headline;
  for (const Shape3& s : shapes)
    for (bool transposed_b : {false, true})
      for (int threads : {1, 2}) {
        const auto rates = bench_row(s, transposed_b, threads, peak[threads]);
        if (s.m == 1024 && s.k == 1024 && !transposed_b && threads == 2) headline = rates;
      }

  std::printf("\ngemm: attn %.0f GFLOP/s at 1024^3 on 2 threads (%.0f%% of peak)", headline.first,
              100 * headline.first / peak[2]);
  if (headline.second > 0)
    std::printf(", %.2fx BLIS (%.0f GFLOP/s)", headline.first / headline.second, headline.second);
  std::printf("\n");
}
