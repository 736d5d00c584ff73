// GEMM back ends: the private interface between matmul and the kernels that do the arithmetic.
//
//   C[i, j] = sum_k A[i, k] * B[k, j]          (plus the old C[i, j] when accumulating)
//
// A and B are read through a row stride and a column stride, so a transposed operand is the same
// buffer with its two strides swapped: nothing is copied before the kernel packs what it needs.
// C is row-major with a row stride. Shapes: A [m, k], B [k, n], C [m, n].
//
// Two back ends compute a product on the calling thread: gemm_attn (gemm.cpp, our own blocked
// kernel) and, when built with BLIS, gemm_blis (matmul_blis.cpp). gemm_parallel spreads either
// over the thread pool. matmul.cpp picks the back end, in one place.
#pragma once

#include <cstdint>

#include "tensor/real.h"

namespace attn {

// A read-only matrix: element (i, j) is data[i * row_stride + j * col_stride].
struct MatrixRef {
  const real* data;
  int64_t row_stride;
  int64_t col_stride;
};

// One product C = A B (or C += A B).
struct GemmProblem {
  int64_t m, n, k;  // A is [m, k], B is [k, n], C is [m, n]
  MatrixRef a, b;
  real* c;  // C[i, j] is c[i * ldc + j]
  int64_t ldc;
  bool accumulate;  // false: C = A B; true: C += A B
};

// A back end: computes the whole problem on the calling thread.
using GemmKernel = void (*)(const GemmProblem& problem);

// attn's cache-blocked, register-tiled kernel (see gemm.cpp).
void gemm_attn(const GemmProblem& problem);

#ifdef ATTN_WITH_BLIS
// BLIS's sgemm/dgemm with general strides, single-threaded (see matmul_blis.cpp).
void gemm_blis(const GemmProblem& problem);
// The kernel family BLIS runs on this CPU, e.g. "skx" (AVX-512) or "generic".
const char* blis_arch();
#endif

// Cuts C into one strip of rows or columns per thread and runs `kernel` on each strip. Every
// element goes through the same multiply-adds as in one big call, so the result is bitwise the
// same for any thread count.
void gemm_parallel(GemmKernel kernel, const GemmProblem& problem);

}  // namespace attn
