// matmul: torch.matmul for tensors of two or more dimensions (see matmul.h).
//
//   C[..., i, j] = sum_k A[..., i, k] * B[..., k, j]
//
// The last two dimensions are the matrices; the leading ones are batch dimensions and broadcast
// NumPy-style: [2,1,3,4] @ [5,4,2] has batch shapes [2,1] and [5], which broadcast to [2,5], so
// the result is [2,5,3,2], and the five matrices of B are each used twice.
//
// Every product is handed to the GEMM as pointers into the inputs' own storage plus strides:
// a transposed, sliced or batch-expanded operand is read where it lies. The only copy is for a
// matrix with no unit stride in either of its two dimensions (say every other column of a
// transpose), which contiguous() lays out row-major first.
//
// Threads: many products (attention's B*H heads of [T, E] @ [E, S]) go one product per task
// across the pool, each on one thread; a few large ones run one after another, each split over
// the pool inside the GEMM. Both give bitwise the same numbers for any thread count. A batch
// that multiplies stacked rows by one shared matrix ([B, T, D] @ [D, F], a linear layer) is run
// as the single tall product it is.
#include "tensor/matmul.h"

#include <algorithm>
#include <vector>

#include "tensor/error.h"
#include "tensor/gemm.h"
#include "tensor/thread_pool.h"

namespace attn {

namespace {

// ---- the back end: chosen here, and only here ------------------------------------------------

#ifdef ATTN_WITH_BLIS
constexpr GemmKernel kGemm = gemm_blis;
constexpr const char* kBackend = "blis";
#else
constexpr GemmKernel kGemm = gemm_attn;
constexpr const char* kBackend = "attn";
#endif

// ---- shapes -----------------------------------------------------------------------------------

std::string describe(const Tensor& a, const Tensor& b) {
  return to_string(a.shape()) + " @ " + to_string(b.shape());
}

// All but the last two sizes.
Shape batch_shape(const Tensor& t) { return Shape(t.shape().begin(), t.shape().end() - 2); }

void check_shapes(const Tensor& a, const Tensor& b) {
  check(a.defined() && b.defined(), "matmul", "an operand is undefined");
  check(a.ndim() >= 2 && b.ndim() >= 2, "matmul", [&] {
    return describe(a, b) + ": both operands need at least 2 dimensions (1-d is not promoted)";
  });
  check(a.size(-1) == b.size(-2), "matmul", [&] {
    return describe(a, b) + ": inner dimensions " + std::to_string(a.size(-1)) + " and " +
           std::to_string(b.size(-2)) + " differ";
  });
  const Shape batch_a = batch_shape(a), batch_b = batch_shape(b);
  // Aligned at the right, each pair of batch sizes must be equal or contain a 1.
  for (size_t i = 1; i <= std::min(batch_a.size(), batch_b.size()); ++i) {
    const int64_t size_a = batch_a[batch_a.size() - i], size_b = batch_b[batch_b.size() - i];
    check(size_a == size_b || size_a == 1 || size_b == 1, "matmul", [&] {
      return describe(a, b) + ": batch dimensions " + to_string(batch_a) + " and " +
             to_string(batch_b) + " cannot be broadcast";
    });
  }
}

// ---- operands ---------------------------------------------------------------------------------

// The strides of t's last two dimensions, if the GEMM can read them in place: row-major or
// column-major with a leading dimension (unit stride along one, no overlap along the other).
// That is what BLIS accepts, and what packing reads fast (whole vectors along the unit stride);
// attn's kernel could read any strides, but one rule keeps the two back ends interchangeable.
// A size-1 dimension's stride is never used, so it is first given its row-major value.
bool matrix_strides(const Tensor& t, int64_t& row_stride, int64_t& col_stride) {
  const int64_t rows = t.size(-2), cols = t.size(-1);
  col_stride = cols == 1 ? 1 : t.strides()[t.ndim() - 1];
  row_stride = rows == 1 ? cols * col_stride : t.strides()[t.ndim() - 2];
  const bool row_major = col_stride == 1 && row_stride >= cols;
  const bool col_major = row_stride == 1 && col_stride >= rows;
  return row_major || col_major;
}

// Where each product's matrix starts in t's storage, relative to t.data(): one offset per
// element of `batch`, row-major, 0-stride where t's batch dimension is broadcast.
std::vector<int64_t> batch_offsets(const Tensor& t, const Shape& batch) {
  Shape full = batch;
  full.push_back(t.size(-2));
  full.push_back(t.size(-1));
  const Shape expanded = t.expand(full).strides();  // [batch..., rows, cols], 0 where broadcast
  const Shape strides(expanded.begin(), expanded.end() - 2);
  std::vector<int64_t> offsets;
  offsets.reserve(numel(batch));
  for_each_offset(batch, strides, [&](int64_t offset) { offsets.push_back(offset); });
  return offsets;
}

// One operand as the GEMM reads it: its storage, its batch offsets and its matrix strides.
struct Operand {
  Tensor tensor;  // the input, or its row-major copy when its layout cannot be read in place
  std::vector<int64_t> offsets;
  int64_t row_stride, col_stride;

  Operand(const Tensor& t, const Shape& batch) : tensor(t) {
    if (!matrix_strides(tensor, row_stride, col_stride)) {
      tensor = t.contiguous();
      matrix_strides(tensor, row_stride, col_stride);
    }
    offsets = batch_offsets(tensor, batch);
  }

  MatrixRef matrix(int64_t index) const {
    return {tensor.data() + offsets[index], row_stride, col_stride};
  }

  // True when every product reads the same matrix (a 2-d operand, or a batch-expanded one).
  bool shared() const {
    return std::all_of(offsets.begin(), offsets.end(), [&](int64_t o) { return o == offsets[0]; });
  }

  // True when the matrices, `rows` rows each, are one tall matrix: product i's rows follow
  // product i-1's at the same row stride, as [B, T, D] row-major is [B*T, D].
  bool stacked(int64_t rows) const {
    for (size_t i = 0; i < offsets.size(); ++i)
      if (offsets[i] != static_cast<int64_t>(i) * rows * row_stride) return false;
    return true;
  }
};

}  // namespace

// ---- matmul -----------------------------------------------------------------------------------

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_shapes(a, b);
  const Shape batch = broadcast_shapes("matmul", batch_shape(a), batch_shape(b));
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  Shape out_shape = batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  // With k = 0 the product is all zeros and no kernel writes it; otherwise every entry is written.
  Tensor out = k == 0 ? Tensor::zeros(out_shape) : Tensor::empty(out_shape);  // [batch..., m, n]
  if (out.numel() == 0 || k == 0) return out;

  const Operand left(a, batch), right(b, batch);
  real* c = out.data();
  // Product `index` of the batch: C[index] = A[index] @ B[index], C row-major with n columns.
  auto problem = [&](int64_t index) {
    real* c_index = c + index * m * n;  // [m, n]
    return GemmProblem{m, n, k, left.matrix(index), right.matrix(index), c_index, n, false};
  };

  const int64_t count = numel(batch);
  if (count > 1 && left.stacked(m) && right.shared()) {
    // [B, T, D] @ [D, F] is [B*T, D] @ [D, F]: one tall product packs B's matrix once, not B
    // times, and gives bitwise the same numbers as the products one by one.
    gemm_parallel(kGemm, {count * m, n, k, left.matrix(0), right.matrix(0), c, n, false});
    return out;
  }
  const int64_t work = m * n * k;  // multiply-adds per product
  // A few large products: one at a time, threads inside. Many: one product per task.
  if (count < 4 * num_threads() && work >= (int64_t{1} << 20)) {
    for (int64_t index = 0; index < count; ++index) gemm_parallel(kGemm, problem(index));
  } else {
    // Tasks of at least ~64K multiply-adds, so tiny products do not drown in hand-offs.
    const int64_t min_chunk = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(work, 1));
    parallel_for(count, min_chunk, [&](int64_t begin, int64_t end) {
      for (int64_t index = begin; index < end; ++index) kGemm(problem(index));
    });
  }
  return out;
}

void matmul_into(const Tensor& a, const Tensor& b, Tensor out, bool accumulate) {
  check_shapes(a, b);
  check(a.ndim() == 2 && b.ndim() == 2, "matmul_into",
        [&] { return describe(a, b) + ": needs two matrices"; });
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  const Shape out_shape = {m, n};
  check(out.defined() && out.shape() == out_shape && (n <= 1 || out.strides()[1] == 1) &&
            (m <= 1 || out.strides()[0] >= n),
        "matmul_into", [&] {
          return describe(a, b) + ": out must be " + to_string(out_shape) +
                 " with contiguous rows, got " +
                 (out.defined() ? to_string(out.shape()) : "(undefined)");
        });
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: nothing to add, or all zeros
    if (!accumulate) out.fill(0);
    return;
  }
  const Operand left(a, {}), right(b, {});
  const int64_t ldc = m == 1 ? n : out.strides()[0];
  gemm_parallel(kGemm, {m, n, k, left.matrix(0), right.matrix(0), out.data(), ldc, accumulate});
}

const char* matmul_backend() { return kBackend; }

}  // namespace attn
