// Tests for matmul (tensor/matmul.h), the GEMM kernels behind it (tensor/gemm.h) and the thread
// pool that spreads them (tensor/thread_pool.h).
//
// The reference is the definition, C[i, j] = sum_k A[i, k] * B[k, j], summed in long double. A
// computed value may differ from it by rounding: at most (k + 1) * epsilon * sum_k |A B|, the
// textbook bound for a sum of k products, which holds in float and in double alike.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tensor/error.h"
#include "tensor/gemm.h"
#include "tensor/matmul.h"
#include "tensor/tensor.h"
#include "tensor/thread_pool.h"
#include "tests/tensor/with_threads.h"

using namespace attn;

namespace {

Tensor random_tensor(const Shape& shape, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<real> values(numel(shape));
  for (real& v : values) v = static_cast<real>(uniform(generator));
  return Tensor::from_vector(shape, values);
}

// Checks the 2-d product c = a @ b element by element against the definition.
void check_product(const Tensor& a, const Tensor& b, const Tensor& c) {
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  REQUIRE(c.shape() == Shape{m, n});
  const std::vector<real> av = a.to_vector(), bv = b.to_vector(), cv = c.to_vector();
  int64_t wrong = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      long double sum = 0, magnitude = 0;
      for (int64_t p = 0; p < k; ++p) {
        const long double term = static_cast<long double>(av[i * k + p]) * bv[p * n + j];
        sum += term;
        magnitude += std::fabs(term);
      }
      const long double bound = (k + 1) * std::numeric_limits<real>::epsilon() * magnitude;
      if (std::fabs(cv[i * n + j] - sum) > bound) ++wrong;
    }
  CHECK_MESSAGE(wrong == 0, "[", m, ",", k, "] @ [", k, ",", n, "]: ", wrong, " wrong elements");
}

}  // namespace

// ---- values -----------------------------------------------------------------------------------

TEST_CASE("matmul: [2,3] @ [3,2] equals the product computed by hand") {
  const Tensor a = Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = Tensor::from_vector({3, 2}, {7, 8, 9, 10, 11, 12});
  // [1 2 3] . [7 9 11] = 7 + 18 + 33 = 58     [1 2 3] . [8 10 12] = 8 + 20 + 36 = 64
  // [4 5 6] . [7 9 11] = 28 + 45 + 66 = 139   [4 5 6] . [8 10 12] = 32 + 50 + 72 = 154
  const Tensor c = matmul(a, b);
  CHECK(c.shape() == Shape{2, 2});
  CHECK(c.to_vector() == std::vector<real>{58, 64, 139, 154});
}

TEST_CASE("matmul: matches the definition for sizes on and off the tile edges") {
  const std::vector<int64_t> sizes = {1, 3, 17, 33, 65, 130};
  unsigned seed = 1;
  for (int64_t m : sizes)
    for (int64_t k : sizes)
      for (int64_t n : sizes) {
        const Tensor a = random_tensor({m, k}, seed++), b = random_tensor({k, n}, seed++);
        check_product(a, b, matmul(a, b));
      }
}

TEST_CASE("matmul: matches the definition across the cache blocks (long k, wide n, tall m)") {
  // Longer than one k block (KC), wider than one n block (NC), taller than one m block (MC).
  const std::vector<Shape> shapes = {{20, 600, 40}, {15, 20, 1100}, {2030, 5, 40}, {300, 200, 350}};
  unsigned seed = 100;
  for (const Shape& s : shapes) {
    const Tensor a = random_tensor({s[0], s[1]}, seed++), b = random_tensor({s[1], s[2]}, seed++);
    check_product(a, b, matmul(a, b));
  }
}

TEST_CASE("matmul: an empty inner dimension gives zeros, an empty outer one an empty result") {
  const Tensor c = matmul(Tensor::ones({3, 0}), Tensor::ones({0, 4}));
  CHECK(c.shape() == Shape{3, 4});
  CHECK(c.to_vector() == std::vector<real>(12, 0));
  CHECK(matmul(Tensor::ones({0, 3}), Tensor::ones({3, 4})).shape() == Shape{0, 4});
  CHECK(matmul(Tensor::ones({2, 0, 3}), Tensor::ones({3, 5})).shape() == Shape{2, 0, 5});
}

TEST_CASE("matmul: the result is a new contiguous tensor, even for transposed inputs") {
  const Tensor a = random_tensor({5, 4}, 1).transpose(0, 1);  // [4, 5]
  const Tensor b = random_tensor({6, 5}, 2).transpose(0, 1);  // [5, 6]
  const Tensor c = matmul(a, b);                              // [4, 6]
  CHECK(c.shape() == Shape{4, 6});
  CHECK(c.is_contiguous());
  CHECK_FALSE(c.shares_storage_with(a));
  CHECK_FALSE(c.shares_storage_with(b));
}

// ---- layouts: transposed, sliced, expanded ---------------------------------------------------

TEST_CASE("matmul: transposed operands are read through their strides") {
  unsigned seed = 200;
  for (int64_t size : {7, 33, 130}) {
    const Tensor at = random_tensor({size + 2, size}, seed++);      // a = at^T is [size, size + 2]
    const Tensor bt = random_tensor({size + 5, size + 2}, seed++);  // b = bt^T is [size+2, size+5]
    const Tensor a = at.transpose(0, 1), b = bt.transpose(0, 1);
    REQUIRE_FALSE(a.is_contiguous());
    check_product(a, b.contiguous(), matmul(a, b.contiguous()));  // A^T B
    check_product(a.contiguous(), b, matmul(a.contiguous(), b));  // A B^T, as q @ k^T
    check_product(a, b, matmul(a, b));                            // A^T B^T
  }
}

TEST_CASE("matmul: sliced operands give the same result as their copies") {
  const Tensor big = random_tensor({40, 50}, 300);
  const Tensor a = big.narrow(0, 3, 20).narrow(1, 5, 30);     // [20, 30], row stride 50
  const Tensor b = big.narrow(0, 10, 30).slice(1, 1, 50, 2);  // [30, 25], column stride 2
  const Tensor bt = big.slice(0, 0, 40, 3).narrow(1, 0, 30).transpose(0, 1);  // [30, 14]
  check_product(a, b, matmul(a, b));
  check_product(a, bt, matmul(a, bt));
  CHECK(matmul(a, b).to_vector() == matmul(a.contiguous(), b.contiguous()).to_vector());
}

TEST_CASE("matmul: expanded (stride 0) operands give the same result as their copies") {
  const Tensor column = random_tensor({6, 1}, 400);
  const Tensor a = column.expand({6, 9});  // every column the same: inner stride 0
  const Tensor b = random_tensor({9, 4}, 401);
  check_product(a, b, matmul(a, b));
  const Tensor row = random_tensor({1, 4}, 402).expand({9, 4});  // every row the same
  check_product(b.transpose(0, 1), row, matmul(b.transpose(0, 1), row));
  const Tensor shared = random_tensor({1, 9, 4}, 403).expand({3, 9, 4});  // batch stride 0
  const Tensor left = random_tensor({3, 6, 9}, 404);
  CHECK(matmul(left, shared).to_vector() == matmul(left, shared.contiguous()).to_vector());
}

// ---- batches ----------------------------------------------------------------------------------

TEST_CASE("matmul: [2,1,3,4] @ [5,4,2] broadcasts the batch dimensions to [2,5,3,2]") {
  const Tensor a = random_tensor({2, 1, 3, 4}, 500), b = random_tensor({5, 4, 2}, 501);
  const Tensor c = matmul(a, b);
  REQUIRE(c.shape() == Shape{2, 5, 3, 2});
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 5; ++j) {
      const Tensor slice = c.narrow(0, i, 1).narrow(1, j, 1).reshape({3, 2});
      const Tensor ai = a.narrow(0, i, 1).reshape({3, 4}), bj = b.narrow(0, j, 1).reshape({4, 2});
      check_product(ai, bj, slice);
    }
}

TEST_CASE("matmul: [B,T,D] @ [D,F] applies the same matrix to every batch entry") {
  const Tensor w = random_tensor({8, 7}, 601);
  // Row-major x is one tall [15, 8] matrix; the transposed view's entries are not stacked.
  for (const Tensor& x :
       {random_tensor({3, 5, 8}, 600), random_tensor({5, 3, 8}, 602).transpose(0, 1)}) {
    const Tensor y = matmul(x, w);
    REQUIRE(y.shape() == Shape{3, 5, 7});
    for (int64_t i = 0; i < 3; ++i)
      CHECK(y.narrow(0, i, 1).reshape({5, 7}).to_vector() ==
            matmul(x.narrow(0, i, 1).reshape({5, 8}), w).to_vector());
  }
}

TEST_CASE("matmul: attention's [B,H,T,E] @ [B,H,S,E]^T matches the definition per head") {
  const Tensor q = random_tensor({2, 3, 17, 8}, 700), k = random_tensor({2, 3, 11, 8}, 701);
  const Tensor scores = matmul(q, k.transpose(-1, -2));  // [2, 3, 17, 11]
  REQUIRE(scores.shape() == Shape{2, 3, 17, 11});
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t h = 0; h < 3; ++h) {
      auto head = [&](const Tensor& t) {
        return t.narrow(0, b, 1).narrow(1, h, 1).squeeze(0).squeeze(0);
      };
      check_product(head(q), head(k).transpose(0, 1), head(scores));
    }
}

// ---- threads and determinism ------------------------------------------------------------------

TEST_CASE("matmul: the result is bitwise the same for 1, 2 and 3 threads") {
  const Tensor a = random_tensor({300, 200}, 800), b = random_tensor({350, 200}, 801);
  const Tensor q = random_tensor({4, 4, 64, 32}, 802), k = random_tensor({4, 4, 64, 32}, 803);
  auto run = [&] {
    return std::make_pair(matmul(a, b.transpose(0, 1)).to_vector(),
                          matmul(q, k.transpose(-1, -2)).to_vector());
  };
  const auto one = with_threads(1, run);
  CHECK(with_threads(2, run) == one);
  CHECK(with_threads(3, run) == one);
}

TEST_CASE("matmul: a batched product equals the products of its entries, bitwise") {
  const Tensor a = random_tensor({6, 40, 70}, 900), b = random_tensor({6, 70, 50}, 901);
  const Tensor c = matmul(a, b);
  for (int64_t i = 0; i < 6; ++i)
    CHECK(c.narrow(0, i, 1).reshape({40, 50}).to_vector() ==
          matmul(a.narrow(0, i, 1).reshape({40, 70}), b.narrow(0, i, 1).reshape({70, 50}))
              .to_vector());
}

namespace {

// Rows first .. first + rows of A (contiguous [m, k]) times B [k, n], through attn's own GEMM
// whatever back end matmul uses: a BLIS build sums a few rows in its own order.
std::vector<real> attn_gemm_rows(const Tensor& a, int64_t first, int64_t rows, MatrixRef b,
                                 int64_t n) {
  const int64_t k = a.size(1);
  std::vector<real> c(static_cast<size_t>(rows * n));
  gemm_attn({rows, n, k, {a.data() + first * k, k, 1}, b, c.data(), n, false});
  return c;
}

}  // namespace

TEST_CASE("gemm_attn: a product of a few rows gives bitwise those rows of a larger product") {
  // One to four rows skip packing (gemm.cpp); their sums must keep the packed path's order, so
  // that decoding one sentence gives what decoding it in a batch gives. k spans three cache
  // blocks; B is read row-major, transposed (x W^T) and sliced. 150 columns hold whole groups
  // of columns summed side by side (4 x 16 floats with AVX-512) and a part group after them.
  const Tensor a = random_tensor({20, 700}, 950);
  const Tensor w = random_tensor({45, 700}, 951);      // used as w^T: [700, 45]
  const Tensor b = random_tensor({700, 60}, 952);      // row-major
  const Tensor wide = random_tensor({700, 90}, 953);  // sliced to [700, 45]
  const Tensor wider = random_tensor({700, 150}, 954);
  const std::vector<std::pair<MatrixRef, int64_t>> rights = {
      {{w.data(), 1, 700}, 45}, {{b.data(), 60, 1}, 60}, {{wide.data() + 20, 90, 1}, 45},
      {{wider.data(), 150, 1}, 150}};
  for (const auto& [right, n] : rights) {
    const std::vector<real> all = attn_gemm_rows(a, 0, 20, right, n);
    for (int64_t rows = 1; rows <= 5; ++rows) {
      CAPTURE(rows);
      const std::vector<real> expected(all.begin() + 3 * n, all.begin() + (3 + rows) * n);
      CHECK(attn_gemm_rows(a, 3, rows, right, n) == expected);
    }
  }
}

// ---- the GEMM interface -----------------------------------------------------------------------

TEST_CASE("gemm: accumulate adds the product to C instead of overwriting it") {
  const Tensor a = random_tensor({19, 300}, 1000), b = random_tensor({300, 37}, 1001);
  const Tensor product = matmul(a, b);
  std::vector<GemmKernel> kernels = {gemm_attn};
#ifdef ATTN_WITH_BLIS
  kernels.push_back(gemm_blis);
#endif
  for (GemmKernel kernel : kernels) {
    std::vector<real> c(19 * 37, real(1));
    kernel({19, 37, 300, {a.data(), 300, 1}, {b.data(), 37, 1}, c.data(), 37, true});
    const std::vector<real> expected = product.to_vector();
    for (size_t i = 0; i < c.size(); ++i)
      CHECK(c[i] == doctest::Approx(expected[i] + 1).epsilon(1e-4));
  }
}

TEST_CASE("matmul_backend: names the GEMM this build routes matmul through") {
#ifdef ATTN_WITH_BLIS
  CHECK(std::string(matmul_backend()) == "blis");
#else
  CHECK(std::string(matmul_backend()) == "attn");
#endif
}

// ---- errors -----------------------------------------------------------------------------------

TEST_CASE("matmul: mismatched inner dimensions are rejected, naming both shapes") {
  CHECK_THROWS_WITH_AS(matmul(Tensor::ones({2, 3}), Tensor::ones({4, 5})),
                       "matmul: [2,3] @ [4,5]: inner dimensions 3 and 4 differ", Error);
  CHECK_THROWS_WITH_AS(matmul(Tensor::ones({7, 2, 3}), Tensor::ones({4, 2})),
                       "matmul: [7,2,3] @ [4,2]: inner dimensions 3 and 4 differ", Error);
}

TEST_CASE("matmul: batch dimensions that cannot broadcast are rejected, naming both shapes") {
  CHECK_THROWS_WITH_AS(
      matmul(Tensor::ones({2, 3, 4}), Tensor::ones({5, 4, 2})),
      "matmul: [2,3,4] @ [5,4,2]: batch dimensions [2] and [5] cannot be broadcast", Error);
}

TEST_CASE("matmul: 1-d and 0-d operands are rejected (no promotion to a matrix)") {
  CHECK_THROWS_WITH_AS(
      matmul(Tensor::ones({3}), Tensor::ones({3, 2})),
      "matmul: [3] @ [3,2]: both operands need at least 2 dimensions (1-d is not promoted)", Error);
  CHECK_THROWS_AS(matmul(Tensor::ones({2, 3}), Tensor::ones({3})), Error);
  CHECK_THROWS_AS(matmul(Tensor::scalar(2), Tensor::ones({1, 1})), Error);
  CHECK_THROWS_AS(matmul(Tensor(), Tensor::ones({1, 1})), Error);
}

// ---- parallel_for -----------------------------------------------------------------------------

TEST_CASE("parallel_for: covers every index exactly once") {
  for (int threads : {1, 2, 4})
    for (int64_t count : {1, 2, 3, 7, 100, 1001})
      for (int64_t min_chunk : {1, 5, 1000}) {
        std::vector<std::atomic<int>> hits(count);
        with_threads(threads, [&] {
          parallel_for(count, min_chunk, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; ++i) hits[i]++;
          });
          return 0;
        });
        CHECK(std::all_of(hits.begin(), hits.end(), [](const auto& h) { return h == 1; }));
      }
}

TEST_CASE("parallel_for: splits into contiguous chunks that depend only on count and threads") {
  auto chunks_of = [](int64_t count, int64_t min_chunk, int threads) {
    std::mutex mutex;
    std::vector<std::pair<int64_t, int64_t>> chunks;
    with_threads(threads, [&] {
      parallel_for(count, min_chunk, [&](int64_t begin, int64_t end) {
        std::lock_guard<std::mutex> lock(mutex);
        chunks.emplace_back(begin, end);
      });
      return 0;
    });
    std::sort(chunks.begin(), chunks.end());
    return chunks;
  };
  const auto chunks = chunks_of(10, 2, 3);
  // 10 elements, 3 threads: 4 + 3 + 3.
  CHECK(chunks == std::vector<std::pair<int64_t, int64_t>>{{0, 4}, {4, 7}, {7, 10}});
  CHECK(chunks_of(10, 2, 3) == chunks);
  // min_chunk 4 allows only 2 chunks of 10.
  CHECK(chunks_of(10, 4, 3) == std::vector<std::pair<int64_t, int64_t>>{{0, 5}, {5, 10}});
  CHECK(chunks_of(10, 1, 1) == std::vector<std::pair<int64_t, int64_t>>{{0, 10}});
}

TEST_CASE("parallel_for: a nested call runs on the calling thread and covers its range") {
  std::vector<std::atomic<int>> hits(40 * 30);
  std::atomic<int> elsewhere{0};  // inner chunks run on another thread than their outer chunk
  with_threads(2, [&] {
    parallel_for(40, 1, [&](int64_t begin, int64_t end) {
      const std::thread::id outer = std::this_thread::get_id();
      for (int64_t i = begin; i < end; ++i)
        parallel_for(30, 1, [&](int64_t b, int64_t e) {
          if (std::this_thread::get_id() != outer) elsewhere++;
          for (int64_t j = b; j < e; ++j) hits[i * 30 + j]++;
        });
    });
    return 0;
  });
  CHECK(elsewhere == 0);
  CHECK(std::all_of(hits.begin(), hits.end(), [](const auto& h) { return h == 1; }));
}

TEST_CASE("parallel_for: a count of 0 never calls the body") {
  bool called = false;
  parallel_for(0, 1, [&](int64_t, int64_t) { called = true; });
  CHECK_FALSE(called);
}

TEST_CASE("parallel_for: an exception thrown in a chunk reaches the caller") {
  with_threads(2, [] {
    CHECK_THROWS_AS(parallel_for(100, 1,
                                 [](int64_t begin, int64_t) {
                                   if (begin > 0) throw std::runtime_error("chunk failed");
                                 }),
                    std::runtime_error);
    return 0;
  });
}

TEST_CASE("set_num_threads: rejects a count below 1") {
  CHECK_THROWS_AS(set_num_threads(0), Error);
}
