// A weight matrix as text (see text_heatmap.h).
#include "train/report/text_heatmap.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"

namespace attn {

namespace {

constexpr char kShades[] = " .:-=+*#%@";  // ten levels, lightest first

// w in [0, 1] -> one of the ten shades, twice: [0, 0.1) -> "  ", ..., [0.9, 1] -> "@@"
std::string cell(real weight) {
  const int level = std::clamp(static_cast<int>(std::floor(weight * 10)), 0, 9);
  return std::string(2, kShades[level]);
}

// The label cut or padded to `width` characters, left-aligned.
std::string fit(const std::string& label, size_t width) {
  std::string out = label.substr(0, width);
  return out + std::string(width - out.size(), ' ');
}

}  // namespace

std::string text_heatmap(const Tensor& weights, const std::vector<std::string>& row_labels,
                         const std::vector<std::string>& column_labels) {
  check(weights.ndim() == 2 && static_cast<int64_t>(row_labels.size()) == weights.size(0) &&
            static_cast<int64_t>(column_labels.size()) == weights.size(1),
        "text_heatmap",
        "weights must be [T, S] with T row labels and S column labels, got " +
            to_string(weights.shape()) + " with " + std::to_string(row_labels.size()) + " and " +
            std::to_string(column_labels.size()));
  size_t margin = 0;
  for (const std::string& label : row_labels) margin = std::max(margin, label.size());

  // Header: the column labels, then a rule under them.
  std::string out(margin, ' ');
  out += " |";
  for (const std::string& label : column_labels) out += fit(label, 2);
  out += '\n';
  out.append(margin, ' ');
  out += " +";
  out.append(2 * column_labels.size(), '-');
  out += '\n';
  // One line per row: its label, then one cell per column.
  for (int64_t t = 0; t < weights.size(0); ++t) {
    out += fit(row_labels[static_cast<size_t>(t)], margin);
    out += " |";
    for (int64_t s = 0; s < weights.size(1); ++s) out += cell(weights.at({t, s}));
    out += '\n';
  }
  return out;
}

}  // namespace attn
