// Tensor: storage, shape, strides, offset; creation and views (see tensor.h).
#include "tensor/tensor.h"

#include <algorithm>
#include <limits>
#include <new>

#include "tensor/block_cache.h"
#include "tensor/error.h"
#include "tensor/memory.h"

namespace attn {

namespace {

// Large buffers start on a cache line, so that a kernel's whole-vector loads never straddle two
// lines, and the largest come from the block cache (block_cache.h). Small ones take malloc's own
// 16-byte alignment: its aligned path splits a block for every request, and a decoding step
// makes hundreds of tensors of a few hundred bytes.
constexpr int64_t kAlignedFrom = 4096;  // bytes

void* allocate(int64_t bytes) {
  return bytes >= kAlignedFrom ? allocate_block(bytes)
                               : ::operator new[](static_cast<size_t>(bytes));
}

void deallocate(void* data, int64_t bytes) {
  if (bytes >= kAlignedFrom)
    free_block(data, bytes);
  else
    ::operator delete[](data);
}

}  // namespace

// ---- storage ----------------------------------------------------------------------------------

// Bytes of `count` reals, or an error naming `shape` when that does not fit in 64 bits.
static int64_t bytes_of(int64_t count, const Shape& shape) {
  if (count > std::numeric_limits<int64_t>::max() / static_cast<int64_t>(sizeof(real)))
    throw Error("Tensor: " + to_string(shape) + " is too large to address");
  return std::max<int64_t>(count, 1) * static_cast<int64_t>(sizeof(real));
}

Storage::Storage(int64_t size, bool zero_fill, const Shape& shape)
    : size_(size), bytes_(bytes_of(size, shape)) {
  // At least one element is allocated, so data() is never null, even for empty tensors.
  reserve_tensor_bytes(bytes_, shape);
  try {
    data_ = static_cast<real*>(allocate(bytes_));
  } catch (const std::bad_alloc&) {
    release_tensor_bytes(bytes_);
    throw Error("Tensor: out of memory: " + to_string(shape) + " needs " +
                byte_size_text(static_cast<double>(bytes_)) + ", and the system has no more");
  }
  if (zero_fill) std::fill(data_, data_ + bytes_ / static_cast<int64_t>(sizeof(real)), real(0));
}

Storage::~Storage() {
  deallocate(data_, bytes_);
  release_tensor_bytes(bytes_);
}

// ---- creation ---------------------------------------------------------------------------------

Tensor::Tensor(std::shared_ptr<Storage> storage, Shape shape, Shape strides, int64_t offset)
    : storage_(std::move(storage)),
      shape_(std::move(shape)),
      strides_(std::move(strides)),
      offset_(offset) {}

Tensor::Tensor(const Shape& shape) {
  for (int64_t size : shape)
    check(size >= 0, "Tensor", [&] { return "negative size in shape " + to_string(shape); });
  storage_ = std::make_shared<Storage>(attn::numel(shape), /*zero_fill=*/true, shape);
  shape_ = shape;
  strides_ = contiguous_strides(shape);
}

Tensor Tensor::zeros(const Shape& shape) { return Tensor(shape); }

Tensor Tensor::empty(const Shape& shape) {
  for (int64_t size : shape)
    check(size >= 0, "Tensor", [&] { return "negative size in shape " + to_string(shape); });
  return Tensor(std::make_shared<Storage>(attn::numel(shape), /*zero_fill=*/false, shape), shape,
                contiguous_strides(shape), 0);
}

Tensor Tensor::ones(const Shape& shape) { return full(shape, 1); }

Tensor Tensor::full(const Shape& shape, real value) {
  Tensor t(shape);
  std::fill(t.data(), t.data() + t.numel(), value);
  return t;
}

Tensor Tensor::scalar(real value) { return full({}, value); }

Tensor Tensor::from_vector(const Shape& shape, const std::vector<real>& values) {
  check(static_cast<int64_t>(values.size()) == attn::numel(shape), "from_vector", [&] {
    return std::to_string(values.size()) + " values do not fill shape " + to_string(shape);
  });
  Tensor t(shape);
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

Tensor Tensor::arange(int64_t n) {
  Tensor t({n});
  for (int64_t i = 0; i < n; ++i) t.data()[i] = static_cast<real>(i);
  return t;
}

// ---- inspection -------------------------------------------------------------------------------

int64_t Tensor::size(int dim) const { return shape_[normalize_dim("size", dim, ndim())]; }

bool Tensor::is_contiguous() const { return strides_ == contiguous_strides(shape_); }

real* Tensor::data() {
  check(defined(), "data", "tensor is undefined");
  return storage_->data() + offset_;
}

const real* Tensor::data() const {
  check(defined(), "data", "tensor is undefined");
  return storage_->data() + offset_;
}

real Tensor::item() const {
  check(defined() && numel() == 1, "item",
        [&] { return "needs a tensor with exactly one element, got " + to_string(shape_); });
  return *data();
}

int64_t Tensor::flat_offset(std::initializer_list<int64_t> index) const {
  check(static_cast<int>(index.size()) == ndim(), "at", [&] {
    return "index has " + std::to_string(index.size()) + " entries for shape " + to_string(shape_);
  });
  int64_t offset = 0;
  int d = 0;
  for (int64_t i : index) {
    check(i >= 0 && i < shape_[d], "at", [&] {
      return "index " + std::to_string(i) + " is out of range for dimension " + std::to_string(d) +
             " of shape " + to_string(shape_);
    });
    offset += i * strides_[d++];
  }
  return offset;
}

real Tensor::at(std::initializer_list<int64_t> index) const { return data()[flat_offset(index)]; }

real& Tensor::at(std::initializer_list<int64_t> index) { return data()[flat_offset(index)]; }

std::vector<real> Tensor::to_vector() const {
  std::vector<real> values;
  values.reserve(numel());
  const real* base = data();
  for_each_offset(shape_, strides_, [&](int64_t offset) { values.push_back(base[offset]); });
  return values;
}

// ---- views ------------------------------------------------------------------------------------

// Replaces one -1 in `shape` by the size that keeps numel unchanged.
static Shape infer_shape(const std::string& op, const Shape& from, Shape shape) {
  int64_t known = 1;
  int inferred = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      check(inferred < 0, op, [&] { return "only one size may be -1 in " + to_string(shape); });
      inferred = static_cast<int>(i);
    } else {
      check(shape[i] >= 0, op, [&] { return "negative size in " + to_string(shape); });
      known *= shape[i];
    }
  }
  const int64_t count = attn::numel(from);
  if (inferred >= 0) {
    check(known != 0 && count % known == 0, op,
          [&] { return "cannot view " + to_string(from) + " as " + to_string(shape); });
    shape[inferred] = count / known;
  }
  check(attn::numel(shape) == count, op, [&] {
    return to_string(from) + " has " + std::to_string(count) + " elements, " + to_string(shape) +
           " needs " + std::to_string(attn::numel(shape));
  });
  return shape;
}

Tensor Tensor::view(const Shape& shape) const {
  const Shape target = infer_shape("view", shape_, shape);
  check(is_contiguous(), "view", [&] {
    return to_string(shape_) + " is not contiguous; call reshape() or contiguous() first";
  });
  return Tensor(storage_, target, contiguous_strides(target), offset_);
}

Tensor Tensor::reshape(const Shape& shape) const { return contiguous().view(shape); }

Tensor Tensor::transpose(int dim0, int dim1) const {
  const int a = normalize_dim("transpose", dim0, ndim());
  const int b = normalize_dim("transpose", dim1, ndim());
  Shape shape = shape_, strides = strides_;
  std::swap(shape[a], shape[b]);
  std::swap(strides[a], strides[b]);
  return Tensor(storage_, shape, strides, offset_);
}

Tensor Tensor::permute(const std::vector<int>& dims) const {
  check(static_cast<int>(dims.size()) == ndim(), "permute", [&] {
    return std::to_string(dims.size()) + " dimensions given for shape " + to_string(shape_);
  });
  Shape shape(ndim()), strides(ndim());
  std::vector<bool> seen(ndim(), false);
  for (int i = 0; i < ndim(); ++i) {
    const int d = normalize_dim("permute", dims[i], ndim());
    check(!seen[d], "permute", [&] { return "dimension " + std::to_string(d) + " is repeated"; });
    seen[d] = true;
    shape[i] = shape_[d];
    strides[i] = strides_[d];
  }
  return Tensor(storage_, shape, strides, offset_);
}

Tensor Tensor::narrow(int dim, int64_t start, int64_t length) const {
  const int d = normalize_dim("narrow", dim, ndim());
  check(start >= 0 && length >= 0 && start + length <= shape_[d], "narrow", [&] {
    return "range [" + std::to_string(start) + ", " + std::to_string(start + length) +
           ") does not fit dimension " + std::to_string(d) + " of " + to_string(shape_);
  });
  Shape shape = shape_;
  shape[d] = length;
  return Tensor(storage_, shape, strides_, offset_ + start * strides_[d]);
}

Tensor Tensor::slice(int dim, int64_t start, int64_t end, int64_t step) const {
  const int d = normalize_dim("slice", dim, ndim());
  check(step > 0, "slice", [&] { return "step must be positive, got " + std::to_string(step); });
  check(start >= 0 && start <= end && end <= shape_[d], "slice", [&] {
    return "range [" + std::to_string(start) + ", " + std::to_string(end) +
           ") does not fit dimension " + std::to_string(d) + " of " + to_string(shape_);
  });
  Shape shape = shape_, strides = strides_;
  shape[d] = (end - start + step - 1) / step;
  strides[d] = strides_[d] * step;
  return Tensor(storage_, shape, strides, offset_ + start * strides_[d]);
}

Tensor Tensor::squeeze(int dim) const {
  const int d = normalize_dim("squeeze", dim, ndim());
  check(shape_[d] == 1, "squeeze", [&] {
    return "dimension " + std::to_string(d) + " of " + to_string(shape_) + " is not 1";
  });
  Shape shape = shape_, strides = strides_;
  shape.erase(shape.begin() + d);
  strides.erase(strides.begin() + d);
  return Tensor(storage_, shape, strides, offset_);
}

Tensor Tensor::unsqueeze(int dim) const {
  const int d = normalize_dim("unsqueeze", dim, ndim() + 1);
  Shape shape = shape_, strides = strides_;
  // The new dimension has size 1, so its stride is never used; give it the natural value.
  const int64_t stride = d < ndim() ? shape_[d] * strides_[d] : 1;
  shape.insert(shape.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  return Tensor(storage_, shape, strides, offset_);
}

Tensor Tensor::expand(const Shape& shape) const {
  check(shape.size() >= shape_.size(), "expand", [&] {
    return "cannot expand " + to_string(shape_) + " to fewer dimensions " + to_string(shape);
  });
  const size_t lead = shape.size() - shape_.size();
  Shape strides(shape.size(), 0);
  for (size_t i = 0; i < shape_.size(); ++i) {
    const int64_t from = shape_[i], to = shape[lead + i];
    check(from == to || from == 1, "expand",
          [&] { return "cannot expand " + to_string(shape_) + " to " + to_string(shape); });
    strides[lead + i] = from == to ? strides_[i] : 0;
  }
  return Tensor(storage_, shape, strides, offset_);
}

// ---- copies -----------------------------------------------------------------------------------

Tensor Tensor::contiguous() const {
  check(defined(), "contiguous", "tensor is undefined");
  return is_contiguous() ? *this : clone();
}

Tensor Tensor::clone() const {
  check(defined(), "clone", "tensor is undefined");
  Tensor copy = empty(shape_);
  real* out = copy.data();
  const real* in = data();
  if (is_contiguous()) {
    std::copy(in, in + numel(), out);
    return copy;
  }
  if (numel() == 0) return copy;
  // Row by row: the odometer moves once per row, and the inner loop is a plain strided read.
  const Shape rows(shape_.begin(), shape_.end() - 1);
  const Shape row_strides(strides_.begin(), strides_.end() - 1);
  const int64_t width = shape_.back(), stride = strides_.back();
  for_each_offset(rows, row_strides, [&](int64_t offset) {
    for (int64_t j = 0; j < width; ++j) out[j] = in[offset + j * stride];
    out += width;
  });
  return copy;
}

void Tensor::copy_from(const Tensor& source) {
  const Tensor from = source.expand(shape_);
  // A source in this tensor's storage may overlap it: copy it out first. Any other source is read
  // in place when it is row-major (contiguous() copies only a strided one).
  const Tensor values = from.shares_storage_with(*this) ? from.clone() : from.contiguous();
  const real* next = values.data();
  real* base = data();
  if (ndim() == 0) {
    base[0] = next[0];
    return;
  }
  // Row by row, as clone() reads: the odometer moves once per row of the target.
  const Shape rows(shape_.begin(), shape_.end() - 1);
  const Shape row_strides(strides_.begin(), strides_.end() - 1);
  const int64_t width = shape_.back(), stride = strides_.back();
  for_each_offset(rows, row_strides, [&](int64_t offset) {
    for (int64_t j = 0; j < width; ++j) base[offset + j * stride] = next[j];
    next += width;
  });
}

void Tensor::fill(real value) {
  real* base = data();
  for_each_offset(shape_, strides_, [&](int64_t offset) { base[offset] = value; });
}

}  // namespace attn
