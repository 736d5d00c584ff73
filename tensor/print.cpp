// Printing a tensor, the way PyTorch does: a header with the shape, then nested brackets.
//
//   tensor([2,3])
//   [[1, 2, 3],
//    [4, 5, 6]]
//
// Numbers use %.4g and are right-aligned to one width, so columns line up. A dimension longer
// than 6 shows its first 3 and last 3 entries around "...". Blocks of a 3-d tensor are
// separated by a blank line (two for 4-d, ...), so the nesting is visible at a glance.
// A scalar prints on one line, "tensor([]) 3.5"; an undefined tensor as "tensor(undefined)".
#include "tensor/tensor.h"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

namespace attn {

namespace {

constexpr int64_t kEdge = 3;     // entries shown at each end of a long dimension
constexpr int64_t kElided = -1;  // marks the "..." in a list of shown indices

std::string format_number(real value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", static_cast<double>(value));
  return text;
}

// The indices of a dimension of size n that get printed: all, or 0 1 2 ... n-3 n-2 n-1.
std::vector<int64_t> shown_indices(int64_t n) {
  std::vector<int64_t> shown;
  if (n <= 2 * kEdge) {
    for (int64_t i = 0; i < n; ++i) shown.push_back(i);
    return shown;
  }
  for (int64_t i = 0; i < kEdge; ++i) shown.push_back(i);
  shown.push_back(kElided);
  for (int64_t i = n - kEdge; i < n; ++i) shown.push_back(i);
  return shown;
}

// Between blocks of an outer dimension: a comma, one line break per dimension inside the
// block (so 2-d blocks get a blank line between them), and an indent to the bracket depth.
std::string block_separator(int dim, int ndim) {
  std::string separator = ",";
  separator.append(ndim - dim - 1, '\n');
  separator.append(dim + 1, ' ');
  return separator;
}

// Walks the printed part of a tensor: data, shape and strides, plus the common number width.
struct Printer {
  const real* data;
  const Shape& shape;
  const Shape& strides;
  size_t width = 0;

  // The widest number among the ones that get printed.
  void measure(int dim, int64_t offset) {
    for (int64_t i : shown_indices(shape[dim])) {
      if (i == kElided) continue;
      const int64_t at = offset + i * strides[dim];
      if (dim + 1 == static_cast<int>(shape.size())) {
        width = std::max(width, format_number(data[at]).size());
      } else {
        measure(dim + 1, at);
      }
    }
  }

  // "[a, b, c]" for the last dimension; for an outer one, its blocks one under another,
  // indented by their depth.
  void print(std::ostream& out, int dim, int64_t offset) const {
    const int ndim = static_cast<int>(shape.size());
    const bool innermost = dim + 1 == ndim;
    const std::string separator = innermost ? ", " : block_separator(dim, ndim);
    out << '[';
    bool first = true;
    for (int64_t i : shown_indices(shape[dim])) {
      if (!first) out << separator;
      first = false;
      if (i == kElided) {
        out << "...";
      } else if (innermost) {
        const std::string number = format_number(data[offset + i * strides[dim]]);
        out << std::string(width - number.size(), ' ') << number;
      } else {
        print(out, dim + 1, offset + i * strides[dim]);
      }
    }
    out << ']';
  }
};

}  // namespace

std::ostream& operator<<(std::ostream& out, const Tensor& tensor) {
  if (!tensor.defined()) return out << "tensor(undefined)";
  out << "tensor(" << to_string(tensor.shape()) << ")";
  if (tensor.ndim() == 0) return out << ' ' << format_number(tensor.item());
  Printer printer{tensor.data(), tensor.shape(), tensor.strides()};
  printer.measure(0, 0);
  out << '\n';
  printer.print(out, 0, 0);
  return out;
}

}  // namespace attn
