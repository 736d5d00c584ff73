// attn's own SGEMM: a cache-blocked, register-tiled matrix product in the Goto/BLIS style.
//
//   C[i, j] = sum_k A[i, k] * B[k, j]          A [m, k], B [k, n], C [m, n]
//
// Goto & van de Geijn 2008, "Anatomy of High-Performance Matrix Multiplication" (ACM TOMS 34:3),
// and Van Zee & van de Geijn 2015, "BLIS: A Framework for Rapidly Instantiating BLAS
// Functionality" (ACM TOMS 41:3): the product is five loops around a tiny "micro-kernel".
//
// The micro-kernel keeps an MR x NR tile of C in vector registers and, for each k, does
//   tile[i, :] += A[i, k] * B[k, :]        (one broadcast of A[i, k], NR/lanes fused multiply-adds)
// With AVX-512 (32 registers of 16 floats) MR = 14 rows by NR = 32 columns: 28 accumulators,
// 2 registers of B, 1 broadcast. Each k step is 28 FMAs on 14 + 2 loads, enough independent
// accumulators to hide the FMA latency (4 cycles x 2 FMA pipes = 8 in flight). The packed A
// micro-panel pads each step's 14 values to 16, a whole vector.
//
// The loops around it choose which data sits in which cache (sizes for float; double has half
// as many elements in the same bytes; the caches are this machine's, Zen 5: L1 48 KB and L2 1 MB
// per core, L3 32 MB shared):
//   for m0 in steps of MC:            A block MC x KC (2016 x 256, 2 MB)       stays in L3
//     for k0 in steps of KC:          pack A[m0.., k0..] into MR-row micro-panels
//       for n0 in steps of NC:        pack B[k0.., n0..] (KC x NC = 256 x 512, 512 KB) into L2
//         for i in steps of MR:       one A micro-panel (16 x KC = 16 KB)     stays in L1
//           for j in steps of NR:     B micro-panels (KC x NR = 32 KB) stream from L2
//             micro-kernel: C[i.., j..] (+)= A micro-panel * B micro-panel
// KC is set so that the A micro-panel and one B micro-panel fit L1 together (48 KB): the A
// micro-panel, read again by every kernel call of the j loop, then survives the B stream; 256
// also divides the Transformer's usual widths (256, 512, 1024) into whole blocks. NC fills half
// of L2, leaving room for the C tiles passing through. MC bounds the A block kept in the shared
// L3. Each C element is read and written once per k block, small next to the KC multiply-adds
// it receives per block.
//
// Packing copies each block into exactly the order the micro-kernel reads it (contiguous,
// 64-byte aligned, zero-padded to whole tiles), which is also where strides are resolved: a
// transposed operand is just read with swapped strides. Where the source runs along k (a
// row-major A, a transposed B), packing is a transpose, done 16 x 16 in registers.
//
// Determinism: an element of C is the sum over k in blocks of KC, each block summed in order in
// a register and then added to C. That sequence does not depend on where the element sits in a
// tile or on how C is split among threads, so any split gives bitwise the same result.
//
// The same code compiles for float (16 lanes) and double (8 lanes) through GCC's vector
// extensions; without AVX-512 it uses the 32-byte (AVX) or 16-byte (SSE2) vectors at hand and
// their 16 registers (MR = 6).
#include "tensor/gemm.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <type_traits>

#include "tensor/thread_pool.h"

namespace attn {

namespace {

// ---- the register tile ------------------------------------------------------------------------

// The widest vectors this build may use, and how many registers hold them.
#if defined(__AVX512F__)
constexpr int kVectorBytes = 64, kVectorRegisters = 32;  // AVX-512: zmm0..zmm31
#elif defined(__AVX__)
constexpr int kVectorBytes = 32, kVectorRegisters = 16;  // AVX2: ymm0..ymm15
#else
constexpr int kVectorBytes = 16, kVectorRegisters = 16;  // SSE2: xmm0..xmm15
#endif

typedef real vec __attribute__((vector_size(kVectorBytes)));
constexpr int kLanes = kVectorBytes / sizeof(real);

constexpr int NV = 2;                                 // vectors per tile row
constexpr int NR = NV * kLanes;                       // tile columns: 32 floats, 16 doubles
constexpr int MR = (kVectorRegisters - NV - 1) / NV;  // tile rows: the accumulators that fit
// A packed A micro-panel keeps MR values per step of k, padded to whole vectors (14 -> 16 floats):
// the transposing pack below then stores whole vectors, and the kernel ignores the padding.
constexpr int MR_PADDED = (MR + kLanes - 1) / kLanes * kLanes;

// ---- the cache blocks -------------------------------------------------------------------------

constexpr int64_t KC = 1024 / sizeof(real);  // A and B micro-panels fit L1 together
constexpr int64_t NC = 512;                  // B block KC x NC fills half of L2
constexpr int64_t MC = MR * 144;             // A block MC x KC sits in L3

vec load(const real* p) {
  vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void store(real* p, vec v) { std::memcpy(p, &v, sizeof v); }

// ---- micro-kernel -----------------------------------------------------------------------------

// C[0..rows, 0..cols] (+)= a-panel (MR x kc, column by column) * b-panel (kc x NR, row by row).
// Step p of the a-panel is a[p * MR_PADDED .. + MR], of the b-panel b[p * NR .. + NR].
// A tile at the edge of C (rows < MR or cols < NR) is computed whole, since the padding in the
// packed panels is zero, and only its valid part is written back.
void micro_kernel(int64_t kc, const real* a, const real* b, real* c, int64_t ldc, bool overwrite,
                  int rows, int cols) {
  // C is needed only at the end: start fetching it now, so its loads do not stall then.
  for (int i = 0; i < rows; ++i) {
    __builtin_prefetch(c + i * ldc);
    __builtin_prefetch(c + i * ldc + cols - 1);
  }

  vec acc[MR][NV] = {};
  for (int64_t p = 0; p < kc; ++p, a += MR_PADDED, b += NR) {
    vec bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = load(b + v * kLanes);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i)
      for (int v = 0; v < NV; ++v) acc[i][v] += a[i] * bv[v];
  }

  if (rows == MR && cols == NR) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i)
      for (int v = 0; v < NV; ++v) {
        real* out = c + i * ldc + v * kLanes;
        store(out, overwrite ? acc[i][v] : load(out) + acc[i][v]);
      }
    return;
  }
  alignas(64) real tile[MR][NR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) store(&tile[i][v * kLanes], acc[i][v]);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      c[i * ldc + j] = overwrite ? tile[i][j] : c[i * ldc + j] + tile[i][j];
}

// ---- packing ----------------------------------------------------------------------------------

// The integer vector that indexes lanes in shuffle(): as wide as `real`.
using lane_index = std::conditional_t<sizeof(real) == 4, int32_t, int64_t>;
typedef lane_index ivec __attribute__((vector_size(kVectorBytes)));

// Shuffle masks for one stage of the transpose below: with lanes grouped in blocks of h, `low`
// interleaves the even blocks of two rows and `high` their odd blocks:
//   a = [A0 A1 A2 A3 ...], b = [B0 B1 B2 B3 ...]  ->  low = [A0 B0 A2 B2 ...],
//                                                   high = [A1 B1 A3 B3 ...]
struct StageMasks {
  lane_index low[kLanes], high[kLanes];
};

// Computed at compile time: the transpose then finds them as constants, not behind a call.
constexpr std::array<StageMasks, kLanes> make_stage_masks() {
  std::array<StageMasks, kLanes> table{};
  for (int block = 1; block < kLanes; block *= 2)
    for (int l = 0; l < kLanes; ++l) {
      const bool even = (l / block) % 2 == 0;
      table[block].low[l] = even ? l : kLanes + l - block;
      table[block].high[l] = even ? l + block : kLanes + l;
    }
  return table;
}

constexpr std::array<StageMasks, kLanes> kStageMasks = make_stage_masks();

ivec lanes(const lane_index (&mask)[kLanes]) {
  ivec v;
  std::memcpy(&v, mask, sizeof v);
  return v;
}

// GCC's __builtin_shuffle(a, b, mask): lane l of the result is lane mask[l] of a and b laid end
// to end. Clang has no form with a mask known only at run time, so there (the fuzzing build,
// tests/fuzz) the lanes are picked one by one: the same values, more slowly.
[[gnu::always_inline]] inline vec shuffle(vec a, vec b, ivec mask) {
#if defined(__clang__)
  vec out;
  for (int l = 0; l < kLanes; ++l) out[l] = mask[l] < kLanes ? a[mask[l]] : b[mask[l] - kLanes];
  return out;
#else
  return __builtin_shuffle(a, b, mask);
#endif
}

// Transposes the kLanes x kLanes block held in rows: afterwards rows[q][w] is the old rows[w][q].
// The transpose of [[P, Q], [R, S]] is [[P^T, R^T], [Q^T, S^T]]: swap the off-diagonal blocks
// (one stage of shuffles), then do the same inside each block, halving the size each stage.
// Always inlined, so that the rows stay in registers.
[[gnu::always_inline]] inline void transpose(vec (&rows)[kLanes]) {
#pragma GCC unroll 8
  for (int h = kLanes / 2; h >= 1; h /= 2) {
    const StageMasks& m = kStageMasks[h];
#pragma GCC unroll 16
    for (int i = 0; i < kLanes; ++i)
      if ((i & h) == 0) {
        const vec a = rows[i], b = rows[i + h];
        rows[i] = shuffle(a, b, lanes(m.low));
        rows[i + h] = shuffle(a, b, lanes(m.high));
      }
  }
}

// Packs steps p..p+kLanes of W lines that each run along k (unit k stride): load kLanes steps
// of up to kLanes lines, transpose, store each step's values as whole vectors.
template <int W, int PITCH>
void pack_steps_transposed(const real* src, int64_t line_stride, real* panel) {
#pragma GCC unroll 4
  for (int w0 = 0; w0 < W; w0 += kLanes) {
    vec rows[kLanes];
#pragma GCC unroll 16
    for (int w = 0; w < kLanes; ++w)
      rows[w] = w0 + w < W ? load(src + (w0 + w) * line_stride) : vec{};
    transpose(rows);  // rows[q] = lines w0.. at step q
#pragma GCC unroll 16
    for (int q = 0; q < kLanes; ++q) store(panel + q * PITCH + w0, rows[q]);
  }
}

// Packs one micro-panel of W lines (W = MR rows of A, or NR columns of B) over kc steps of k:
//   panel[p * PITCH + w] = src[w * line_stride + p * k_stride]     (zero for lines >= lines)
// so the micro-kernel finds the W values it needs for step p side by side. PITCH >= W is a whole
// number of vectors; the values past W in a step are padding, never read.
template <int W, int PITCH>
void pack_panel(const real* src, int64_t line_stride, int64_t k_stride, int lines, int64_t kc,
                real* panel) {
  int64_t p = 0;
  if (lines < W) {
    // A panel at the edge of the matrix: zero padding, then the element-by-element loop below.
    std::fill(panel, panel + PITCH * kc, real(0));
  } else if (line_stride == 1) {
    // The W values of a step are side by side in the source already: copy them.
    for (; p < kc; ++p) std::memcpy(panel + p * PITCH, src + p * k_stride, W * sizeof(real));
  } else if (k_stride == 1) {
    for (; p + kLanes <= kc; p += kLanes)
      pack_steps_transposed<W, PITCH>(src + p, line_stride, panel + p * PITCH);
  }
  // Whatever is left (or any other layout): one element at a time.
  for (; p < kc; ++p)
    for (int w = 0; w < lines; ++w) panel[p * PITCH + w] = src[w * line_stride + p * k_stride];
}

// A[0..mc, 0..kc] into micro-panels of MR rows, each MR_PADDED x kc.
void pack_a(int64_t mc, int64_t kc, MatrixRef a, real* packed) {
  for (int64_t i = 0; i < mc; i += MR, packed += MR_PADDED * kc)
    pack_panel<MR, MR_PADDED>(a.data + i * a.row_stride, a.row_stride, a.col_stride,
                              static_cast<int>(std::min<int64_t>(MR, mc - i)), kc, packed);
}

// B[0..kc, 0..nc] into micro-panels of NR columns, each kc x NR.
void pack_b(int64_t kc, int64_t nc, MatrixRef b, real* packed) {
  for (int64_t j = 0; j < nc; j += NR, packed += NR * kc)
    pack_panel<NR, NR>(b.data + j * b.col_stride, b.col_stride, b.row_stride,
                       static_cast<int>(std::min<int64_t>(NR, nc - j)), kc, packed);
}

// ---- a few rows: no packing ------------------------------------------------------------------

// With a handful of rows in A (decoding one sentence: m = 1, or a beam of 4), packing B costs as
// much as the product itself, and most of each MR-row tile would be padding. Each element of C is
// then summed straight from A and B, in the very order the micro-kernel sums it: over k in blocks
// of KC, each block in order from 0, then written or added to C. So a row gets bitwise the
// values it gets inside a larger product.
//
// kLanes columns of C are summed side by side in one vector per row, so each step of k is one
// multiply-add per row, as in the micro-kernel. That needs B's kLanes values of a step side by
// side: they are when B is row-major; when B is a transposed weight (x W^T, W [n, k]), each
// column runs along k instead, and kLanes steps of kLanes columns are loaded and transposed in
// registers. At m = 1 the product reads each value of B once: it runs at the speed of memory.
constexpr int64_t kFewRows = 4;

// acc[i] += A[i, p] * step for each of the M rows: one step of k for kLanes columns at once.
template <int M>
[[gnu::always_inline]] inline void add_step(const GemmProblem& g, int64_t p, vec step,
                                            vec (&acc)[M]) {
  const real* a = g.a.data + p * g.a.col_stride;
#pragma GCC unroll 4
  for (int i = 0; i < M; ++i) acc[i] += a[i * g.a.row_stride] * step;
}

// Each element's sum is one chain of dependent multiply-adds, and an FMA waits for the one before
// it (4 cycles here): with one row, one group of kLanes columns would leave the FMA pipes idle
// most of the time. So a block of row-major B works on Groups groups of columns at once, kChains
// / M of them, whose chains are independent; each element still sums in its own order. B = W^T
// keeps one group: its transposes are the bottleneck, not the chain, and four groups read 4 x
// kLanes rows of W at once, which thrash the L1 cache when the rows lie 4 KB apart (measured:
// one row times W^T [256, 1024] at 10 GB/s instead of 20).
constexpr int kChains = 4;

template <int M>
constexpr int column_groups() {
  return M >= kChains ? 1 : kChains / M;
}

// acc[g][i][j] = sum of A[i, k0 + p] * B[k0 + p, j] over p = 0 .. kc, in order, for the kLanes
// columns j of group g: column[g][j] points to B[k0, j], and columns past the last one repeat it.
template <int M, int Groups>
void few_rows_block(const GemmProblem& g, const real* const (&column)[Groups][kLanes], bool whole,
                    int64_t k0, int64_t kc, vec (&acc)[Groups][M]) {
  for (int group = 0; group < Groups; ++group)
    for (int i = 0; i < M; ++i) acc[group][i] = vec{};
  int64_t p = 0;
  if (whole && g.b.col_stride == 1) {
    // B row-major: a step's kLanes values are one load.
    for (; p < kc; ++p)
#pragma GCC unroll 4
      for (int group = 0; group < Groups; ++group)
        add_step<M>(g, k0 + p, load(column[group][0] + p * g.b.row_stride), acc[group]);
  } else if (g.b.row_stride == 1) {
    // B = W^T: load kLanes steps of each column, transpose them into kLanes steps. Each column
    // is a row of W; one no longer than a k block (1 KB, as in most of a Transformer's weights)
    // is read whole in one go, too short a stream for the hardware prefetcher to learn. So then
    // the next group's rows are fetched while this group is summed (one row times W^T [256,
    // 8000] from memory, three runs each: 5.6-7.6 -> 9-10 GB/s on one thread, 10-15 -> 16-17 on
    // two).
    const int64_t next_group = g.k <= KC ? kLanes * g.b.col_stride : 0;
    for (; p + kLanes <= kc; p += kLanes)
      for (int group = 0; group < Groups; ++group) {
        vec steps[kLanes];
#pragma GCC unroll 16
        for (int j = 0; j < kLanes; ++j) {
          steps[j] = load(column[group][j] + p);
          if (next_group != 0) __builtin_prefetch(column[group][j] + p + next_group);
        }
        transpose(steps);  // steps[q] = the kLanes columns at step p + q
#pragma GCC unroll 16
        for (int q = 0; q < kLanes; ++q) add_step<M>(g, k0 + p + q, steps[q], acc[group]);
      }
  }
  // Whatever is left (or any other layout): the step gathered one value at a time.
  for (; p < kc; ++p)
    for (int group = 0; group < Groups; ++group) {
      vec step;
      for (int j = 0; j < kLanes; ++j) step[j] = column[group][j][p * g.b.row_stride];
      add_step<M>(g, k0 + p, step, acc[group]);
    }
}

// C[0..M, j0 .. j0 + cols] (+)= A * B[:, j0 .. j0 + cols], in Groups groups of kLanes columns
// (the last group may hold fewer: cols < Groups * kLanes only when Groups is 1).
template <int M, int Groups>
void few_rows_columns(const GemmProblem& g, int64_t j0, int cols) {
  for (int64_t k0 = 0; k0 < g.k; k0 += KC) {
    const int64_t kc = std::min(KC, g.k - k0);
    const real* column[Groups][kLanes];
    for (int group = 0; group < Groups; ++group)
      for (int j = 0; j < kLanes; ++j) {
        const int64_t index = j0 + group * kLanes + std::min(j, cols - 1);
        column[group][j] = g.b.data + k0 * g.b.row_stride + index * g.b.col_stride;
      }
    vec acc[Groups][M];
    few_rows_block<M, Groups>(g, column, cols >= kLanes, k0, kc, acc);
    const bool overwrite = k0 == 0 && !g.accumulate;
    for (int group = 0; group < Groups; ++group)
      for (int i = 0; i < M; ++i) {
        real* c = g.c + i * g.ldc + j0 + group * kLanes;
        const int valid = std::min(kLanes, cols - group * kLanes);
        for (int j = 0; j < valid; ++j)
          c[j] = overwrite ? acc[group][i][j] : c[j] + acc[group][i][j];
      }
  }
}

template <int M>
void gemm_few_rows(const GemmProblem& g) {
  constexpr int Groups = column_groups<M>();
  int64_t j0 = 0;
  if (g.b.col_stride == 1)
    for (; j0 + Groups * kLanes <= g.n; j0 += Groups * kLanes)
      few_rows_columns<M, Groups>(g, j0, Groups * kLanes);
  for (; j0 < g.n; j0 += kLanes)
    few_rows_columns<M, 1>(g, j0, static_cast<int>(std::min<int64_t>(kLanes, g.n - j0)));
}

// ---- the loops around the micro-kernel --------------------------------------------------------

// A 64-byte aligned buffer, allocated once per thread at its largest size and then reused.
struct PackBuffer {
  explicit PackBuffer(int64_t size)
      : data(static_cast<real*>(::operator new[](size * sizeof(real), std::align_val_t{64}))) {}
  ~PackBuffer() { ::operator delete[](data, std::align_val_t{64}); }
  PackBuffer(const PackBuffer&) = delete;
  PackBuffer& operator=(const PackBuffer&) = delete;
  real* data;
};

real* packed_a_buffer() {
  thread_local PackBuffer buffer(MC / MR * MR_PADDED * KC);
  return buffer.data;
}

real* packed_b_buffer() {
  thread_local PackBuffer buffer(KC * NC);
  return buffer.data;
}

// C[0..mc, 0..nc] (+)= packed A block (mc x kc) * packed B block (kc x nc).
void macro_kernel(int64_t mc, int64_t nc, int64_t kc, const real* packed_a, const real* packed_b,
                  real* c, int64_t ldc, bool overwrite) {
  for (int64_t i = 0; i < mc; i += MR) {
    const int rows = static_cast<int>(std::min<int64_t>(MR, mc - i));
    for (int64_t j = 0; j < nc; j += NR) {
      const int cols = static_cast<int>(std::min<int64_t>(NR, nc - j));
      micro_kernel(kc, packed_a + i / MR * MR_PADDED * kc, packed_b + j * kc, c + i * ldc + j, ldc,
                   overwrite, rows, cols);
    }
  }
}

// With k = 0 the product is empty: C = 0, or C unchanged when accumulating.
void clear_output(const GemmProblem& g) {
  if (g.accumulate) return;
  for (int64_t i = 0; i < g.m; ++i) std::fill(g.c + i * g.ldc, g.c + i * g.ldc + g.n, real(0));
}

}  // namespace

void gemm_attn(const GemmProblem& g) {
  if (g.m == 0 || g.n == 0) return;
  if (g.k == 0) {
    clear_output(g);
    return;
  }
  switch (g.m) {
    case 1: return gemm_few_rows<1>(g);
    case 2: return gemm_few_rows<2>(g);
    case 3: return gemm_few_rows<3>(g);
    case kFewRows: return gemm_few_rows<kFewRows>(g);
  }
  real* packed_a = packed_a_buffer();
  real* packed_b = packed_b_buffer();
  for (int64_t m0 = 0; m0 < g.m; m0 += MC) {
    const int64_t mc = std::min(MC, g.m - m0);
    for (int64_t k0 = 0; k0 < g.k; k0 += KC) {
      const int64_t kc = std::min(KC, g.k - k0);
      const MatrixRef a{g.a.data + m0 * g.a.row_stride + k0 * g.a.col_stride, g.a.row_stride,
                        g.a.col_stride};
      pack_a(mc, kc, a, packed_a);
      // The first k block writes C, later ones add to it.
      const bool overwrite = k0 == 0 && !g.accumulate;
      for (int64_t n0 = 0; n0 < g.n; n0 += NC) {
        const int64_t nc = std::min(NC, g.n - n0);
        const MatrixRef b{g.b.data + k0 * g.b.row_stride + n0 * g.b.col_stride, g.b.row_stride,
                          g.b.col_stride};
        pack_b(kc, nc, b, packed_b);
        macro_kernel(mc, nc, kc, packed_a, packed_b, g.c + m0 * g.ldc + n0, g.ldc, overwrite);
      }
    }
  }
}

// ---- threads ----------------------------------------------------------------------------------

void gemm_parallel(GemmKernel kernel, const GemmProblem& g) {
  // Below about a million multiply-adds, waking a thread costs more than it saves; unless B
  // alone is 256 KiB or more: a product of few rows streams B from memory, and two cores read it
  // faster. Decoding one sentence of `small` reads its 19 MB of weights in products of 256 x 256
  // and up: split, they run 15-20% faster at 2 threads than with only the larger ones split.
  const bool small = g.m * g.n * g.k < (int64_t{1} << 20) && g.k * g.n < (int64_t{1} << 16);
  if (num_threads() == 1 || small) {
    kernel(g);
    return;
  }
  // Cut the longer side of C, in whole tiles, so each strip stays close to square.
  const bool by_rows = g.m >= g.n;
  const int64_t extent = by_rows ? g.m : g.n;
  const int64_t unit = by_rows ? MR : NR;
  parallel_for((extent + unit - 1) / unit, 1, [&](int64_t begin, int64_t end) {
    const int64_t from = begin * unit, to = std::min(end * unit, extent);
    GemmProblem strip = g;
    if (by_rows) {
      strip.m = to - from;  // rows from..to of A and C
      strip.a.data += from * g.a.row_stride;
      strip.c += from * g.ldc;
    } else {
      strip.n = to - from;  // columns from..to of B and C
      strip.b.data += from * g.b.col_stride;
      strip.c += from;
    }
    kernel(strip);
  });
}

}  // namespace attn
