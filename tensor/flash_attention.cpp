// Tiled attention with an online softmax, forward and backward (see flash_attention.h).
//
// Forward, for each block Q_i of Br queries (Dao 2023, FlashAttention-2, Algorithm 1):
//   m = -inf, l = 0, O_i = 0                                   m, l [Br], O_i [Br, Ev]
//   for each block of Bc keys K_j [Bc, E], V_j [Bc, Ev] that some query of the block sees:
//     X = scale * Q_i K_j^T, hidden entries -inf               [Br, Bc]
//     m' = max(m, rowmax(X))
//     P = exp(X - m')                                          [Br, Bc]  every exponent <= 0
//     l = exp(m - m') l + rowsum(P)
//     O_i = exp(m - m') O_i + P V_j                            [Br, Ev]
//     m = m'
//   O_i = O_i / l,   L_i = m + log l
// Whatever max the row has met so far, O_i / l is the softmax over the keys seen so far: a
// larger max later only rescales the earlier terms (Milakov & Gimelshein 2018, §3).
//
// Backward, for each block of keys j, for each block of queries i that sees it (FA2, Algorithm 2):
//   P = exp(scale Q_i K_j^T - L_i)      dV_j += P^T dO_i        dP = dO_i V_j^T
//   dS = P * (dP - D_i)                 dQ_i += scale dS K_j    dK_j += scale dS^T Q_i
// dK_j and dV_j stay in cache while the query blocks stream past; dQ_i is added to in place.
//
// Tile sizes. Every product goes through attn's GEMM (gemm_attn, tensor/gemm.h) on the calling
// thread. Measured here (GCC 12.2, where attn builds without AVX-512 except the GEMM), it runs a
// 108 x 128 x 64 tile product 1.4x as fast as a register-blocked AVX2 loop of our own fed with a
// K^T packed in advance (110-125 against 82 GFLOP/s on one core), its packing included. Its
// register tile is MR = 14 rows by NR = 32 columns (float), so Br is a multiple of 14, Bc of 32.
// With Br = 112 and Bc = 256, for E = Ev = 64 in float, a forward step touches Q_i and O_i
// (28 KB each), K_j and V_j (64 KB each) and the tile X (112 KB): 296 KB; the backward adds
// dK_j, dV_j and a second tile: 560 KB. Both fit one core's L2 (1-2 MB), the GEMM's packed
// micro-panels sit in L1 (48 KB). Larger tiles spread the GEMM's packing (Q_i again for every
// key block, K_j for every query block) over more multiply-adds; smaller ones waste less on the
// causal diagonal. Forward + backward on one core, T = S = 2048, B H = 8, E = 64 (CPU time, best
// of 5): Br x Bc = 56 x 64: 345 ms, 112 x 128: 320, 112 x 256: 300, 224 x 256: 293; causal:
// 112 x 128: 176, 112 x 256: 171, 224 x 256: 176.
//
// Extra memory: per task one or two [Br, Bc] tiles, the row state and, in the backward, D [T].
#include "tensor/flash_attention.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "tensor/error.h"
#include "tensor/exp_nonpositive.h"
#include "tensor/gemm.h"
#include "tensor/reduce.h"
#include "tensor/thread_pool.h"

namespace attn {

namespace {

constexpr real kMinusInf = -std::numeric_limits<real>::infinity();
constexpr int64_t kQueryBlock = 112;  // Br: queries per tile, a multiple of the GEMM's 14 rows
constexpr int64_t kKeyBlock = 256;    // Bc: keys per tile, a multiple of the GEMM's 32 columns
// Multiply-adds per parallel chunk: below about a million, waking a thread costs more than it
// saves (as in gemm_parallel, tensor/gemm.cpp); with 8 heads of T = S = 16 that is one chunk.
constexpr int64_t kGrain = int64_t{1} << 20;

// ---- operands ---------------------------------------------------------------------------------

// An operand [..., rows, cols] seen as N matrices, one per leading index: element (r, c) of
// matrix n is at(n)[r * row_stride + c * col_stride]. Only strides are read, nothing is copied.
struct Matrices {
  Tensor tensor;                 // undefined for an absent mask
  std::vector<int64_t> offsets;  // where each matrix starts, relative to tensor.data()
  int64_t row_stride = 0, col_stride = 0;

  const real* at(int64_t n) const { return tensor.data() + offsets[n]; }
  // Rows row0.. of matrix n, as the GEMM reads an operand.
  MatrixRef rows_from(int64_t n, int64_t row0) const {
    return {at(n) + row0 * row_stride, row_stride, col_stride};
  }
};

Matrices matrices(const Tensor& t) {
  Matrices m{t, {}, t.strides()[t.ndim() - 2], t.strides()[t.ndim() - 1]};
  const Shape lead(t.shape().begin(), t.shape().end() - 2);
  const Shape lead_strides(t.strides().begin(), t.strides().end() - 2);
  for_each_offset(lead, lead_strides, [&](int64_t offset) { m.offsets.push_back(offset); });
  return m;
}

// The same matrix read as its transpose: K_j as the [E, Bc] right operand of Q_i K_j^T.
MatrixRef transposed(MatrixRef a) { return {a.data, a.col_stride, a.row_stride}; }

// One call: the operands as matrices, their sizes, and which keys each query sees.
struct Problem {
  Matrices q, k, v;  // [N, T, E], [N, S, E], [N, S, Ev]
  Matrices mask;     // [N, T, S], stride 0 where broadcast; tensor undefined: no mask
  int64_t N, T, S, E, Ev;
  real scale;
  bool causal;
  int64_t delta;  // query_offset - key_offset: causally, query t sees key s iff s <= t + delta
};

// t's leading axes "..." followed by `last`: leading(q, {T, S}) is the scores' [..., T, S].
Shape leading(const Tensor& t, std::initializer_list<int64_t> last = {}) {
  Shape shape(t.shape().begin(), t.shape().end() - 2);
  shape.insert(shape.end(), last);
  return shape;
}

std::string describe(const Tensor& q, const Tensor& k, const Tensor& v) {
  return "q " + to_string(q.shape()) + ", k " + to_string(k.shape()) + ", v " +
         to_string(v.shape());
}

Problem make_problem(const Tensor& q, const Tensor& k, const Tensor& v,
                     const FlashAttentionOptions& options) {
  const char* op = "flash_attention";
  check(q.defined() && k.defined() && v.defined(), op, "q, k or v is undefined");
  check(q.ndim() >= 3 && k.ndim() == q.ndim() && v.ndim() == q.ndim(), op, [&] {
    return describe(q, k, v) +
           ": need one rank, at least 3 ([..., T, E], [..., S, E], [..., S, Ev])";
  });
  check(leading(k) == leading(q) && leading(v) == leading(q), op,
        [&] { return describe(q, k, v) + ": leading axes differ"; });
  check(k.size(-1) == q.size(-1), op,
        [&] { return describe(q, k, v) + ": q and k widths E differ"; });
  check(v.size(-2) == k.size(-2), op,
        [&] { return describe(q, k, v) + ": k and v key counts S differ"; });
  const Shape scores = leading(q, {q.size(-2), k.size(-2)});  // [..., T, S]
  Problem p{matrices(q), matrices(k), matrices(v), {}, numel(leading(q)), q.size(-2),
            k.size(-2), q.size(-1), v.size(-1), options.scale, options.causal,
            options.query_offset - options.key_offset};
  if (options.mask.defined()) {
    check(broadcasts_to(options.mask.shape(), scores), op, [&] {
      return "mask " + to_string(options.mask.shape()) + " does not broadcast to the scores " +
             to_string(scores) + " of " + describe(q, k, v);
    });
    p.mask = matrices(options.mask.expand(scores));  // a view: stride 0 where broadcast
  }
  return p;
}

// ---- which keys a query sees ------------------------------------------------------------------

// One past the last key that any of queries t0 .. t0 + rows - 1 sees: key blocks from there on
// are hidden from the whole query block and are skipped. The causal rule gives it directly; the
// mask is then scanned back from there (a padding mask stops at the sentence's last real key).
int64_t visible_key_end(const Problem& p, int64_t n, int64_t t0, int64_t rows) {
  int64_t end = p.causal ? std::clamp<int64_t>(t0 + rows + p.delta, 0, p.S) : p.S;
  if (!p.mask.tensor.defined()) return end;
  const real* mask = p.mask.at(n) + t0 * p.mask.row_stride;
  const int64_t distinct_rows = p.mask.row_stride == 0 ? 1 : rows;  // [.., 1, S] masks: one row
  for (; end > 0; --end)
    for (int64_t r = 0; r < distinct_rows; ++r)
      if (mask[r * p.mask.row_stride + (end - 1) * p.mask.col_stride] != 0) return end;
  return 0;
}

// x [rows, cols] (row stride Bc) holds q . k for queries t0.. and keys s0..; turns it into
// X = scale * q . k where the key is visible from the query, -inf where it is hidden: past the
// causal diagonal, or where the mask is 0. exp(-inf) = 0 then gives hidden keys no weight.
void scale_and_mask(const Problem& p, int64_t n, int64_t t0, int64_t s0, int64_t rows,
                    int64_t cols, real* x) {
  const int64_t mask_step = p.mask.col_stride;
  for (int64_t r = 0; r < rows; ++r) {
    real* row = x + r * kKeyBlock;
    // Keys s0 .. s0 + visible - 1 pass the causal rule s <= t + delta.
    const int64_t visible =
        p.causal ? std::clamp<int64_t>(t0 + r + p.delta + 1 - s0, 0, cols) : cols;
    for (int64_t c = 0; c < visible; ++c) row[c] *= p.scale;
    std::fill(row + visible, row + cols, kMinusInf);
    if (!p.mask.tensor.defined()) continue;
    const real* allowed = p.mask.at(n) + (t0 + r) * p.mask.row_stride + s0 * mask_step;
    for (int64_t c = 0; c < visible; ++c) row[c] = allowed[c * mask_step] == 0 ? kMinusInf : row[c];
  }
}

// ---- forward ----------------------------------------------------------------------------------

// One task's working memory: the tile X (then P) and each query row's running state.
struct ForwardTile {
  std::vector<real> x = std::vector<real>(kQueryBlock * kKeyBlock);  // [Br, Bc]
  std::vector<real> max = std::vector<real>(kQueryBlock);            // m [Br]
  std::vector<double> sum = std::vector<double>(kQueryBlock);        // l [Br]
  std::vector<real> shrink = std::vector<real>(kQueryBlock);         // exp(m - m') [Br]
};

// The largest of x[0..n), ignoring NaN; -inf when n = 0. Sixteen running maxima side by side
// fill a vector register: one chain of dependent comparisons would wait on each in turn (half
// the forward's own time, measured). A max is exact, so the split changes no result.
real row_max(const real* x, int64_t n) {
  constexpr int kWays = 16;
  real ways[kWays];
  std::fill(ways, ways + kWays, kMinusInf);
  int64_t i = 0;
  for (; i + kWays <= n; i += kWays)
    for (int w = 0; w < kWays; ++w) ways[w] = x[i + w] > ways[w] ? x[i + w] : ways[w];
  for (; i < n; ++i) ways[0] = x[i] > ways[0] ? x[i] : ways[0];
  return *std::max_element(ways, ways + kWays);
}

// Turns one row of X over a key block into P = exp(X - m') in place and folds it into the row's
// running max m and sum l; returns exp(m - m'), the factor by which earlier terms shrink.
real online_softmax_row(real* x, int64_t cols, real& max, double& sum) {
  const real new_max = std::max(max, row_max(x, cols));
  // A row that has seen only hidden keys keeps m = -inf: shift by 0, since exp(-inf - 0) = 0
  // where exp(-inf - -inf) would be NaN; nothing earlier to shrink then either.
  const real shift = new_max == kMinusInf ? real(0) : new_max;
  const real shrink = max == kMinusInf ? real(0) : exp_nonpositive(max - new_max);
  for (int64_t c = 0; c < cols; ++c) x[c] = exp_nonpositive(x[c] - shift);
  sum = shrink * sum + sum_in_double(x, cols);
  max = new_max;
  return shrink;
}

// Queries t0 .. t0 + Br - 1 of matrix n: out [T, Ev] and logsumexp [T] of that matrix.
void forward_block(const Problem& p, int64_t n, int64_t t0, ForwardTile& tile, real* out,
                   real* logsumexp) {
  const int64_t rows = std::min(kQueryBlock, p.T - t0);
  const int64_t key_end = visible_key_end(p, n, t0, rows);
  real* o = out + t0 * p.Ev;  // O_i [rows, Ev]
  std::fill(tile.max.begin(), tile.max.end(), kMinusInf);
  std::fill(tile.sum.begin(), tile.sum.end(), 0.0);
  for (int64_t s0 = 0; s0 < key_end; s0 += kKeyBlock) {
    const int64_t cols = std::min(kKeyBlock, key_end - s0);
    // X = scale * Q_i K_j^T, hidden -inf                                  [rows, cols]
    gemm_attn({rows, cols, p.E, p.q.rows_from(n, t0), transposed(p.k.rows_from(n, s0)),
               tile.x.data(), kKeyBlock, false});
    scale_and_mask(p, n, t0, s0, rows, cols, tile.x.data());
    // P = exp(X - m'), l = exp(m - m') l + rowsum(P)                      [rows, cols]
    for (int64_t r = 0; r < rows; ++r)
      tile.shrink[r] =
          online_softmax_row(tile.x.data() + r * kKeyBlock, cols, tile.max[r], tile.sum[r]);
    // O_i = exp(m - m') O_i + P V_j                                       [rows, Ev]
    if (s0 > 0)
      for (int64_t r = 0; r < rows; ++r)
        if (tile.shrink[r] != 1)
          for (int64_t e = 0; e < p.Ev; ++e) o[r * p.Ev + e] *= tile.shrink[r];
    gemm_attn({rows, p.Ev, cols, {tile.x.data(), kKeyBlock, 1}, p.v.rows_from(n, s0), o, p.Ev,
               s0 > 0});
  }
  // O_i = O_i / l, L = m + log l; a query that saw no key (l = 0) gets zeros and L = -inf.
  for (int64_t r = 0; r < rows; ++r) {
    real* o_row = o + r * p.Ev;
    const double sum = tile.sum[r];
    if (sum == 0) {
      std::fill(o_row, o_row + p.Ev, real(0));
      logsumexp[t0 + r] = kMinusInf;
      continue;
    }
    const real inverse = static_cast<real>(1.0 / sum);
    for (int64_t e = 0; e < p.Ev; ++e) o_row[e] *= inverse;
    logsumexp[t0 + r] = static_cast<real>(tile.max[r] + std::log(sum));
  }
}

}  // namespace

Tensor flash_attention_forward(const Tensor& q, const Tensor& k, const Tensor& v,
                               const FlashAttentionOptions& options, Tensor* logsumexp) {
  const Problem p = make_problem(q, k, v, options);
  Tensor out = Tensor::empty(leading(q, {p.T, p.Ev}));  // [..., T, Ev]
  Tensor lse = Tensor::empty(leading(q, {p.T}));         // [..., T]
  real* out_data = out.data();
  real* lse_data = lse.data();
  // Tasks are (n, query block) pairs: each writes its own rows, so any split gives the same bits.
  const int64_t blocks = (p.T + kQueryBlock - 1) / kQueryBlock;
  const int64_t work = std::min(p.T, kQueryBlock) * p.S * (p.E + p.Ev);  // multiply-adds a task
  parallel_for(p.N * blocks, std::max<int64_t>(1, kGrain / std::max<int64_t>(work, 1)),
               [&](int64_t begin, int64_t end) {
                 ForwardTile tile;
                 for (int64_t task = begin; task < end; ++task) {
                   const int64_t n = task / blocks, t0 = task % blocks * kQueryBlock;
                   forward_block(p, n, t0, tile, out_data + n * p.T * p.Ev, lse_data + n * p.T);
                 }
               });
  if (logsumexp != nullptr) *logsumexp = lse;
  return out;
}

// ---- backward ---------------------------------------------------------------------------------

namespace {

// One task's working memory: two tiles, and the row terms and key ranges of one matrix.
struct BackwardTile {
  std::vector<real> p = std::vector<real>(kQueryBlock * kKeyBlock);   // X, then P [Br, Bc]
  std::vector<real> ds = std::vector<real>(kQueryBlock * kKeyBlock);  // dP, then scale dS [Br, Bc]
  std::vector<real> d;                                                // D [T]
  std::vector<int64_t> key_end;  // per query block: one past the last key it sees
};

// The gradients of one matrix n, each [rows, cols] contiguous.
struct GradientRows {
  real *q, *k, *v;
};

// In the forward, P = softmax(X) row by row, so (softmax.h) dX = P * (dP - sum_s P dP); and
// sum_s P[t, s] dP[t, s] = sum_s P[t, s] sum_e dO[t, e] V[s, e] = sum_e dO[t, e] O[t, e] = D_t,
// one dot product of rows that are already there.                                     d [T]
void row_terms(const Problem& p, const Matrices& out, const Matrices& grad_out, int64_t n,
               real* d) {
  for (int64_t t = 0; t < p.T; ++t) {
    const real* o = out.at(n) + t * out.row_stride;
    const real* g = grad_out.at(n) + t * grad_out.row_stride;
    double dot = 0;
    for (int64_t e = 0; e < p.Ev; ++e)
      dot += double(g[e * grad_out.col_stride]) * o[e * out.col_stride];
    d[t] = static_cast<real>(dot);
  }
}

// P = exp(X - L) in place: the forward's weights again, from L alone (X - L <= 0 up to rounding).
// A query that sees no key (L = -inf) gets P = 0, not exp(-inf - -inf) = NaN.
void recompute_probabilities(real* x, int64_t rows, int64_t cols, const real* logsumexp) {
  for (int64_t r = 0; r < rows; ++r) {
    real* row = x + r * kKeyBlock;
    const real lse = logsumexp[r];
    if (lse == kMinusInf) {
      std::fill(row, row + cols, real(0));
      continue;
    }
    for (int64_t c = 0; c < cols; ++c) row[c] = exp_nonpositive(row[c] - lse);
  }
}

// ds holds dP on entry, scale * dS = scale * P * (dP - D) on return: the scale of X = scale Q K^T
// is folded in once here for both dQ and dK.
void score_gradients(const real* prob, real* ds, int64_t rows, int64_t cols, const real* d,
                     real scale) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      const int64_t i = r * kKeyBlock + c;
      ds[i] = scale * prob[i] * (ds[i] - d[r]);
    }
}

// Where the forward's tile of queries t0.. and keys s0.. went, the backward comes back through
// it: every gradient's contribution from this tile, added to dQ_i, dK_j and dV_j.
void backward_tile(const Problem& p, const Matrices& grad_out, const real* logsumexp, int64_t n,
                   int64_t t0, int64_t rows, int64_t s0, int64_t cols, BackwardTile& tile,
                   GradientRows grad) {
  // In the forward: X = scale Q_i K_j^T, P = exp(X - L): recompute it        [rows, cols]
  gemm_attn({rows, cols, p.E, p.q.rows_from(n, t0), transposed(p.k.rows_from(n, s0)),
             tile.p.data(), kKeyBlock, false});
  scale_and_mask(p, n, t0, s0, rows, cols, tile.p.data());
  recompute_probabilities(tile.p.data(), rows, cols, logsumexp + t0);
  // O_i += P V_j, so dV_j += P^T dO_i                                          [cols, Ev]
  gemm_attn({cols, p.Ev, rows, transposed({tile.p.data(), kKeyBlock, 1}),
             grad_out.rows_from(n, t0), grad.v + s0 * p.Ev, p.Ev, true});
  // ... and dP = dO_i V_j^T                                                    [rows, cols]
  gemm_attn({rows, cols, p.Ev, grad_out.rows_from(n, t0), transposed(p.v.rows_from(n, s0)),
             tile.ds.data(), kKeyBlock, false});
  // P = softmax(X), so dX = P * (dP - D); X = scale Q K^T, so dS = scale dX    [rows, cols]
  score_gradients(tile.p.data(), tile.ds.data(), rows, cols, tile.d.data() + t0, p.scale);
  // dQ_i += dS K_j                                                             [rows, E]
  gemm_attn({rows, p.E, cols, {tile.ds.data(), kKeyBlock, 1}, p.k.rows_from(n, s0),
             grad.q + t0 * p.E, p.E, true});
  // dK_j += dS^T Q_i                                                           [cols, E]
  gemm_attn({cols, p.E, rows, transposed({tile.ds.data(), kKeyBlock, 1}), p.q.rows_from(n, t0),
             grad.k + s0 * p.E, p.E, true});
}

// Every gradient of matrix n: key blocks outside, so dK_j and dV_j stay in cache, query blocks
// inside; the tiles the forward skipped (keys hidden from a whole query block) are skipped again.
void backward_matrix(const Problem& p, const Matrices& out, const Matrices& grad_out,
                     const real* logsumexp, int64_t n, BackwardTile& tile, GradientRows grad) {
  const int64_t blocks = (p.T + kQueryBlock - 1) / kQueryBlock;
  tile.d.resize(p.T);
  row_terms(p, out, grad_out, n, tile.d.data());
  tile.key_end.resize(blocks);
  for (int64_t i = 0; i < blocks; ++i)
    tile.key_end[i] =
        visible_key_end(p, n, i * kQueryBlock, std::min(kQueryBlock, p.T - i * kQueryBlock));
  for (int64_t s0 = 0; s0 < p.S; s0 += kKeyBlock)
    for (int64_t i = 0; i < blocks; ++i) {
      const int64_t t0 = i * kQueryBlock, rows = std::min(kQueryBlock, p.T - t0);
      const int64_t cols = std::min(kKeyBlock, tile.key_end[i] - s0);  // keys the block sees
      if (cols > 0) backward_tile(p, grad_out, logsumexp, n, t0, rows, s0, cols, tile, grad);
    }
}

void check_saved(const char* name, const Tensor& t, const Shape& shape) {
  check(t.defined() && t.shape() == shape, "flash_attention_backward", [&] {
    return std::string(name) + " " + (t.defined() ? to_string(t.shape()) : "(undefined)") +
           " must be " + to_string(shape);
  });
}

}  // namespace

FlashAttentionGradients flash_attention_backward(const Tensor& q, const Tensor& k, const Tensor& v,
                                                 const FlashAttentionOptions& options,
                                                 const Tensor& out, const Tensor& logsumexp,
                                                 const Tensor& grad_out) {
  const Problem p = make_problem(q, k, v, options);
  check_saved("out", out, leading(q, {p.T, p.Ev}));
  check_saved("grad_out", grad_out, leading(q, {p.T, p.Ev}));
  check_saved("logsumexp", logsumexp, leading(q, {p.T}));
  const Matrices o = matrices(out), d_o = matrices(grad_out);
  const Tensor lse = logsumexp.contiguous();
  FlashAttentionGradients grads{Tensor::zeros(q.shape()), Tensor::zeros(k.shape()),
                                Tensor::zeros(v.shape())};
  real *dq = grads.q.data(), *dk = grads.k.data(), *dv = grads.v.data();
  const real* lse_data = lse.data();
  // dK and dV sum over query blocks: one task per matrix keeps that sum in one order.
  const int64_t work = p.T * p.S * (3 * p.E + 2 * p.Ev);  // multiply-adds per matrix, roughly
  parallel_for(p.N, std::max<int64_t>(1, kGrain / std::max<int64_t>(work, 1)),
               [&](int64_t begin, int64_t end) {
                 BackwardTile tile;
                 for (int64_t n = begin; n < end; ++n)
                   backward_matrix(p, o, d_o, lse_data + n * p.T, n, tile,
                                   {dq + n * p.T * p.E, dk + n * p.S * p.E, dv + n * p.S * p.Ev});
               });
  return grads;
}

}  // namespace attn
