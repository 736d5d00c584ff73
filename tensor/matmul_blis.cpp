// The BLIS back end of matmul: each 2-d product through BLIS's typed API.
//
//   C = alpha * A B + beta * C,   alpha = 1, beta = 0 (or 1 when accumulating)
//
// Van Zee & van de Geijn 2015, "BLIS: A Framework for Rapidly Instantiating BLAS Functionality"
// (ACM TOMS 41:3). BLIS takes a row stride and a column stride for every matrix, so a transposed
// operand is passed with its strides swapped and is never copied. Each call runs on one thread
// (a runtime object with num_threads = 1); gemm_parallel and matmul spread work over attn's own
// pool, so BLIS's OpenMP threads never compete with ours.
//
// Picking BLIS's fast kernels. BLIS chooses its kernels once, on first use, from the CPU's
// family and model. BLIS 0.9 (Debian 12) does not know AMD Zen 5 and falls back to its generic
// C kernels: about 40 GFLOP/s per core where its AVX-512 "skx" kernels reach about 230. The
// choice can be forced with the environment variable BLIS_ARCH_TYPE = the numeric arch_t id
// (BLIS_ARCH_SKX is 0 in 0.9), read when BLIS initialises. BLIS's detection routine is not
// exported, and asking for the chosen arch fixes it for the life of the process, so we cannot
// look first and correct afterwards. Instead, once, before the first BLIS call:
//   if BLIS_ARCH_TYPE is unset and the CPU has the AVX-512 subsets the skx kernels use
//   (F, DQ, BW, VL), set BLIS_ARCH_TYPE = BLIS_ARCH_SKX, then bli_init().
// On Intel AVX-512 CPUs BLIS picks skx anyway, so this only changes CPUs that BLIS does not
// recognise. A BLIS_ARCH_TYPE set by the user is left alone. blis_arch() reports the result.
#include <blis.h>

#include <cstdlib>
#include <mutex>
#include <string>

#include "tensor/gemm.h"

namespace attn {

namespace {

// The AVX-512 subsets BLIS's skx kernels use, the ones its own skx test checks.
bool cpu_runs_skx_kernels() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
}

// Runs once, before any other BLIS call, so BLIS reads our BLIS_ARCH_TYPE when it initialises.
void init_blis_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("BLIS_ARCH_TYPE") == nullptr && cpu_runs_skx_kernels())
      setenv("BLIS_ARCH_TYPE", std::to_string(BLIS_ARCH_SKX).c_str(), 0);
    bli_init();
  });
}

// BLIS's typed API has one function per type: sgemm for float, dgemm for double. Overloading
// picks the one for `real`; the other is unused in this build.
[[maybe_unused]] void typed_gemm(dim_t m, dim_t n, dim_t k, float* alpha, float* a, inc_t rsa,
                                 inc_t csa, float* b, inc_t rsb, inc_t csb, float* beta, float* c,
                                 inc_t rsc, rntm_t* rntm) {
  bli_sgemm_ex(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta,
               c, rsc, 1, nullptr, rntm);
}

[[maybe_unused]] void typed_gemm(dim_t m, dim_t n, dim_t k, double* alpha, double* a, inc_t rsa,
                                 inc_t csa, double* b, inc_t rsb, inc_t csb, double* beta,
                                 double* c, inc_t rsc, rntm_t* rntm) {
  bli_dgemm_ex(BLIS_NO_TRANSPOSE, BLIS_NO_TRANSPOSE, m, n, k, alpha, a, rsa, csa, b, rsb, csb, beta,
               c, rsc, 1, nullptr, rntm);
}

}  // namespace

void gemm_blis(const GemmProblem& g) {
  init_blis_once();
  // One thread for this call, whatever BLIS_NUM_THREADS or OMP_NUM_THREADS say.
  rntm_t rntm;
  bli_rntm_init(&rntm);
  bli_rntm_set_num_threads(1, &rntm);
  real alpha = 1, beta = g.accumulate ? 1 : 0;
  // BLIS's API is not const-correct; it only reads A and B.
  typed_gemm(g.m, g.n, g.k, &alpha, const_cast<real*>(g.a.data), g.a.row_stride, g.a.col_stride,
             const_cast<real*>(g.b.data), g.b.row_stride, g.b.col_stride, &beta, g.c, g.ldc, &rntm);
}

const char* blis_arch() {
  init_blis_once();
  return bli_arch_string(bli_arch_query_id());
}

}  // namespace attn
