// Tensor: an N-d array of reals, as a view over shared storage.
//
// A tensor is four things:
//   storage  a flat, 64-byte aligned buffer, shared by every view of it
//   shape    sizes per dimension, in PyTorch order: [B, T, D] means B blocks of T rows of D
//   strides  elements to skip to move one step along each dimension
//   offset   where element (0, ..., 0) sits in storage
// so element (i0, ..., in-1) is storage[offset + sum_k i_k * strides[k]].
//
// Views (view/reshape, transpose/permute, narrow/slice, squeeze/unsqueeze, expand) change only
// shape, strides and offset: they never copy, and writes through a view are seen by all views.
// transpose(0, 1) of a [2,3] tensor with strides [3,1] is a [3,2] tensor with strides [1,3].
// expand gives a size-1 dimension stride 0, so one element stands for many.
// contiguous() copies into row-major order only when the tensor is not already so.
//
// This layer knows nothing of gradients: see autograd/ for that.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <vector>

#include "tensor/real.h"
#include "tensor/shape.h"

namespace attn {

// A flat, 64-byte aligned (one cache line, one AVX-512 register) buffer of reals. Its bytes are
// counted against the tensor memory limit (memory.h).
class Storage {
 public:
  // Zero-filled, unless `zero_fill` is false: then the values are whatever memory held, for
  // kernels that write every element anyway (filling 10 MB of logits twice costs real time).
  // `shape` names it in an out-of-memory error.
  Storage(int64_t size, bool zero_fill, const Shape& shape);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  real* data() { return data_; }
  int64_t size() const { return size_; }

 private:
  real* data_;
  int64_t size_;
  int64_t bytes_;  // allocated, and counted as live
};

class Tensor {
 public:
  // An undefined tensor: no storage. defined() is false; most ops reject it.
  Tensor() = default;
  // A new contiguous tensor of zeros.
  explicit Tensor(const Shape& shape);

  // ---- creation -------------------------------------------------------------------------------
  static Tensor zeros(const Shape& shape);
  // Contiguous, with unspecified values: only for code that writes every element before reading.
  static Tensor empty(const Shape& shape);
  static Tensor ones(const Shape& shape);
  static Tensor full(const Shape& shape, real value);
  static Tensor scalar(real value);  // shape []
  // Copies `values` (row-major) into a new tensor; throws unless their count matches the shape.
  static Tensor from_vector(const Shape& shape, const std::vector<real>& values);
  // 0, 1, ..., n-1 as a [n] tensor.
  static Tensor arange(int64_t n);

  // ---- inspection -----------------------------------------------------------------------------
  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  const Shape& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  int64_t size(int dim) const;  // dim may be negative: size(-1) is the last size
  int64_t numel() const { return attn::numel(shape_); }
  bool is_contiguous() const;

  // Pointer to element (0, ..., 0). Walk it with strides(), or call contiguous() first.
  real* data();
  const real* data() const;

  // The one value of a tensor with numel() == 1.
  real item() const;
  // Element at a full index, e.g. t.at({1, 2}); bounds are checked.
  real at(std::initializer_list<int64_t> index) const;
  real& at(std::initializer_list<int64_t> index);
  // All elements in row-major order.
  std::vector<real> to_vector() const;

  // ---- views: no copies -----------------------------------------------------------------------
  // Same elements, new shape; one size may be -1 (inferred). view() needs a contiguous tensor;
  // reshape() copies first when it is not.
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor transpose(int dim0, int dim1) const;
  Tensor permute(const std::vector<int>& dims) const;
  // Elements start .. start+length-1 along dim.
  Tensor narrow(int dim, int64_t start, int64_t length) const;
  // Elements start, start+step, ... below end along dim (Python's t[start:end:step]).
  Tensor slice(int dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor squeeze(int dim) const;    // removes a size-1 dimension
  Tensor unsqueeze(int dim) const;  // inserts a size-1 dimension
  // Broadcasts size-1 dimensions (and new leading ones) to `shape` with stride 0.
  Tensor expand(const Shape& shape) const;

  // ---- copies ---------------------------------------------------------------------------------
  // This tensor if already row-major and dense, else a row-major copy.
  Tensor contiguous() const;
  // Always a fresh row-major copy.
  Tensor clone() const;
  // Writes `source` (broadcast to this shape) into this tensor's elements, through any view.
  void copy_from(const Tensor& source);
  void fill(real value);

  // True when both share storage (one is a view of the other, or they are views of one buffer).
  bool shares_storage_with(const Tensor& other) const { return storage_ == other.storage_; }

 private:
  Tensor(std::shared_ptr<Storage> storage, Shape shape, Shape strides, int64_t offset);
  int64_t flat_offset(std::initializer_list<int64_t> index) const;

  std::shared_ptr<Storage> storage_;
  Shape shape_;
  Shape strides_;
  int64_t offset_ = 0;
};

// Prints "tensor([2,3])\n[[1, 2, 3],\n [4, 5, 6]]", with large dimensions elided in the middle.
std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

// Calls visit(offset) for every element of `shape` walked row-major, where offset is that
// element's position under `strides`. The one loop every strided kernel is built on.
template <typename Visit>
void for_each_offset(const Shape& shape, const Shape& strides, Visit visit) {
  const int ndim = static_cast<int>(shape.size());
  const int64_t count = attn::numel(shape);
  if (count == 0) return;
  std::vector<int64_t> index(ndim, 0);
  int64_t offset = 0;
  for (int64_t n = 0; n < count; ++n) {
    visit(offset);
    // Odometer increment: bump the last index, carry into earlier ones.
    for (int d = ndim - 1; d >= 0; --d) {
      if (++index[d] < shape[d]) {
        offset += strides[d];
        break;
      }
      offset -= strides[d] * (shape[d] - 1);
      index[d] = 0;
    }
  }
}

}  // namespace attn
